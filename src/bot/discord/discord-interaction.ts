import type { AutocompleteInteraction, ButtonInteraction, ChatInputCommandInteraction } from "discord.js";

type AnyInteraction = ChatInputCommandInteraction | ButtonInteraction | AutocompleteInteraction;

/**
 * One interaction, whichever way it arrived (the gateway through discord.js, or the HTTP endpoint
 * as raw JSON): what the handler needs to answer it and to build a ChatRequest.
 */
export interface IncomingInteraction {
  id: string;
  token: string;
  applicationId: string;
  guildId: string | null;
  /** The channel the interaction happened in; for a thread, the thread's parent channel. */
  channelId: string | null;
  /** The thread's channel id when it happened in a thread (a thread is a conversation). */
  threadId: string | null;
  /** `roles`: the member's Discord role ids in this guild (absent in DMs), the groups grants name. */
  user: { id: string; name: string; roles?: string[] };
  kind:
    | { type: "command"; name: string; options: Record<string, string> }
    | { type: "button"; customId: string; messageId: string }
    /** Someone is typing an option Discord autocompletes: `focused` is what they typed so far. */
    | { type: "autocomplete"; name: string; focused: string };
}

/** Discord's channel types for threads (announcement, public, private). */
export const THREAD_CHANNEL_TYPES: ReadonlySet<number> = new Set([10, 11, 12]);

export function placeOf(
  channel: { id: string; type: number; parentId: string | null } | null,
  channelId: string | null,
) {
  if (channel && THREAD_CHANNEL_TYPES.has(channel.type)) return { channelId: channel.parentId, threadId: channel.id };
  return { channelId: channel?.id ?? channelId, threadId: null };
}

function base(interaction: AnyInteraction) {
  const channel = interaction.channel;
  const place = placeOf(
    channel ? { id: channel.id, type: channel.type, parentId: "parentId" in channel ? channel.parentId : null } : null,
    interaction.channelId,
  );
  return {
    id: interaction.id,
    token: interaction.token,
    applicationId: interaction.applicationId,
    guildId: interaction.guildId,
    ...place,
    user: { id: interaction.user.id, name: interaction.user.username, ...rolesOf(interaction) },
  };
}

/** The member's role ids: a cached GuildMember's roles, or the raw member data's list. */
function rolesOf(interaction: AnyInteraction): { roles?: string[] } {
  const member = interaction.member;
  if (member === null) return {};
  if (Array.isArray(member.roles)) return { roles: [...member.roles] };
  const everyone = interaction.guildId;
  return { roles: [...member.roles.cache.keys()].filter((role) => role !== everyone) };
}

export function fromCommandInteraction(interaction: ChatInputCommandInteraction): IncomingInteraction {
  const options: Record<string, string> = {};
  for (const option of interaction.options.data) {
    if (typeof option.value === "string") options[option.name] = option.value;
  }
  return { ...base(interaction), kind: { type: "command", name: interaction.commandName, options } };
}

export function fromAutocompleteInteraction(interaction: AutocompleteInteraction): IncomingInteraction {
  const focused = interaction.options.getFocused();
  return {
    ...base(interaction),
    kind: { type: "autocomplete", name: interaction.commandName, focused: typeof focused === "string" ? focused : "" },
  };
}

export function fromButtonInteraction(interaction: ButtonInteraction): IncomingInteraction {
  return {
    ...base(interaction),
    kind: { type: "button", customId: interaction.customId, messageId: interaction.message.id },
  };
}
