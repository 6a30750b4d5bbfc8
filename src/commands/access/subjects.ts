import type { Subject } from "./grants.js";

/** A subject or channel as the asker wrote it, read on the asker's platform; or why it cannot be read. */
export type Read<T> = { ok: true; value: T } | { ok: false; message: string };

// `webhook` accounts are the service identities inbound webhooks act as (`webhook:github`).
const PLATFORMS = ["slack", "discord", "console", "webhook"] as const;
const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const SLACK_USER = /^[UW][A-Z0-9]{2,20}$/;
const SLACK_GROUP = /^S[A-Z0-9]{2,20}$/;
const SNOWFLAKE = /^\d{5,25}$/;

// Anchored, no nested quantifiers: linear in the input (README "Permissions").
const USER_MENTION = /^<@!?([A-Za-z0-9]{1,40})(?:\|[^>]{0,200})?>$/;
const ROLE_MENTION = /^<@&(\d{1,25})>$/;
const SUBTEAM_MENTION = /^<!subteam\^([A-Za-z0-9]{1,40})(?:\|[^>]{0,200})?>$/;
const CHANNEL_MENTION = /^<#([A-Za-z0-9]{1,40})(?:\|[^>]{0,200})?>$/;

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const no = <T>(message: string): Read<T> => ({ ok: false, message });

function isPlatform(text: string): text is (typeof PLATFORMS)[number] {
  return (PLATFORMS as readonly string[]).includes(text);
}

/** Whether an id could be a person's id on that platform; display names are never ids. */
function looksLikeUserId(platform: string, id: string): boolean {
  if (platform === "slack") return SLACK_USER.test(id);
  if (platform === "discord") return SNOWFLAKE.test(id);
  return ID.test(id);
}

function looksLikeGroupId(platform: string, id: string): boolean {
  if (platform === "slack") return SLACK_GROUP.test(id);
  if (platform === "discord") return SNOWFLAKE.test(id);
  return ID.test(id);
}

function person(platform: string, id: string, written: string): Read<Subject> {
  return looksLikeUserId(platform, id)
    ? ok({ kind: "person", account: `${platform}:${id}` })
    : no(`\`${written}\` is not a ${platform} user id; mention the person so ${platform} sends their id.`);
}

function group(platform: string, id: string, written: string): Read<Subject> {
  return looksLikeGroupId(platform, id)
    ? ok({ kind: "group", group: `${platform}:${id}` })
    : no(`\`${written}\` is not a ${platform} group id (a Slack user group \`S…\`, a Discord role id).`);
}

/**
 * The person or group a grant names: a mention (`<@U123>`, `<@!42>`, `<@&42>` a Discord role,
 * `<!subteam^S1|@oncall>` a Slack user group), an account (`slack:U123`), a group
 * (`group:slack:S1`, or `group:S1` on the asker's platform), or at the console a name (`@ada`).
 */
export function readSubject(written: string, platform: string): Read<Subject> {
  const text = written.trim();
  const user = USER_MENTION.exec(text)?.[1];
  if (user !== undefined) return person(platform, user, text);
  const role = ROLE_MENTION.exec(text)?.[1];
  if (role !== undefined) return group("discord", role, text);
  const subteam = SUBTEAM_MENTION.exec(text)?.[1];
  if (subteam !== undefined) return group("slack", subteam, text);
  if (text.toLowerCase().startsWith("group:")) {
    const rest = text.slice("group:".length);
    const colon = rest.indexOf(":");
    const on = colon > 0 ? rest.slice(0, colon).toLowerCase() : platform;
    if (colon > 0 && !isPlatform(on)) return no(`\`${text}\` names no platform baton knows (slack, discord).`);
    return group(on, colon > 0 ? rest.slice(colon + 1) : rest, text);
  }
  const colon = text.indexOf(":");
  if (colon > 0) {
    const on = text.slice(0, colon).toLowerCase();
    if (!isPlatform(on)) return no(`\`${text}\` names no platform baton knows (slack, discord, console).`);
    return person(on, text.slice(colon + 1), text);
  }
  const bare = text.startsWith("@") ? text.slice(1) : text;
  if (bare === "") return no("Name a person or a group to grant to.");
  return person(platform, bare, text);
}

/** A channel a grant is scoped to, as the platform's channel id: a mention, `#id`, or an id. */
export function readChannel(written: string, platform: string): Read<string> {
  const text = written.trim();
  const mentioned = CHANNEL_MENTION.exec(text)?.[1];
  const id = mentioned ?? (text.startsWith("#") ? text.slice(1) : text);
  if (!ID.test(id)) return no(`\`${text}\` is not a channel.`);
  if (mentioned === undefined && platform === "slack" && !/^[CGD][A-Z0-9]{2,20}$/.test(id))
    return no(`\`${text}\` is a channel name, not its id; pick the channel from Slack's list so it sends the id.`);
  if (mentioned === undefined && platform === "discord" && !SNOWFLAKE.test(id))
    return no(`\`${text}\` is a channel name, not its id; pick the channel from Discord's list so it sends the id.`);
  return ok(id);
}

/** How a subject is written back: `slack:U123`, `group slack:S1`. */
export function subjectLabel(subject: Subject): string {
  return subject.kind === "person" ? subject.account : `group ${subject.group}`;
}
