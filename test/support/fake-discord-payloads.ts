/** Discord API objects as the fake sends them (the fields discord.js reads; the rest default). */

// biome-ignore lint/suspicious/noExplicitAny: JSON from and to the wire; tests read fields they assert on.
export type JsonObject = Record<string, any>;

export function fakeUser(id: string, username: string, bot = false): JsonObject {
  return { id, username, discriminator: "0", global_name: username, avatar: null, bot, flags: 0 };
}

export function fakeMessage(
  id: string,
  channelId: string,
  author: JsonObject,
  fields: { content: string },
): JsonObject {
  return {
    id,
    channel_id: channelId,
    type: 0,
    author,
    content: fields.content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    flags: 0,
  };
}

export function fakeGuild(ids: { guildId: string; channelId: string; threadId: string; applicationId: string }) {
  const now = new Date().toISOString();
  return {
    id: ids.guildId,
    name: "baton test guild",
    icon: null,
    owner_id: "400000000000000005",
    unavailable: false,
    member_count: 3,
    large: false,
    joined_at: now,
    roles: [
      {
        id: ids.guildId,
        name: "@everyone",
        permissions: "0",
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
      // A role tests grant to (README "Permissions": a Discord role grant).
      {
        id: "500000000000000001",
        name: "oncall",
        permissions: "0",
        position: 1,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: true,
        flags: 0,
      },
    ],
    emojis: [],
    stickers: [],
    features: [],
    channels: [{ id: ids.channelId, type: 0, name: "ops", position: 0, permission_overwrites: [] }],
    threads: [
      {
        id: ids.threadId,
        type: 11,
        guild_id: ids.guildId,
        parent_id: ids.channelId,
        name: "deploy",
        owner_id: "400000000000000005",
        thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: now, locked: false },
        message_count: 0,
        member_count: 1,
      },
    ],
    members: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    premium_tier: 0,
    preferred_locale: "en-US",
  };
}
