import type { ChatRequest } from "../chat.js";

/** Slack payloads → ChatRequests (pure; the listeners add names and send them on). */

export const PLATFORM = "slack";

export interface SlashCommandPayload {
  command: string;
  text: string;
  team_id: string;
  channel_id: string;
  channel_name?: string;
  user_id: string;
  user_name?: string;
  trigger_id: string;
}

export interface MessageEventPayload {
  type: string;
  subtype?: string;
  text?: string;
  user?: string;
  bot_id?: string;
  channel: string;
  channel_type?: string;
  ts: string;
  thread_ts?: string;
  team?: string;
}

/** Slash commands arrive once (no retries) and carry a unique trigger_id. */
export function commandRequest(payload: SlashCommandPayload, name: string, receivedAt: Date): ChatRequest {
  return {
    platform: PLATFORM,
    workspace: payload.team_id,
    channel: payload.channel_id,
    thread: null,
    actor: { id: payload.user_id, name, platform: PLATFORM },
    text: `${payload.command} ${payload.text}`.trim(),
    dedupeKey: `slack:${payload.trigger_id}`,
    receivedAt,
  };
}

/** `<@U123> run hello` → `run hello`: the bot's own mention is not part of the request. */
export function withoutMention(text: string, botUserId: string | null): string {
  const mention = botUserId ? new RegExp(`<@${botUserId}(\\|[^<>]*)?>`, "g") : /^\s*<@[A-Z0-9]+(\|[^<>]*)?>/;
  return text.replace(mention, " ").replace(/\s+/g, " ").trim();
}

/** The thread a message belongs to (its root ts), or null for a top-level DM. */
export function threadOf(event: MessageEventPayload): string | null {
  if (event.thread_ts) return event.thread_ts;
  // A mention in a channel starts a thread under itself, so the channel is not flooded.
  return event.type === "app_mention" ? event.ts : null;
}

/**
 * A mention or DM. Slack retries events it thinks went unanswered (X-Slack-Retry-Num,
 * retry_attempt), always with the same event_id: that is the dedupe key.
 * @see https://api.slack.com/apis/events-api#retries
 */
export function messageRequest(
  event: MessageEventPayload,
  envelope: { eventId: string; teamId: string | null },
  user: { id: string; name: string },
  botUserId: string | null,
  receivedAt: Date,
): ChatRequest {
  return {
    platform: PLATFORM,
    workspace: envelope.teamId ?? event.team ?? null,
    channel: event.channel,
    thread: threadOf(event),
    actor: { id: user.id, name: user.name, platform: PLATFORM },
    text: withoutMention(event.text ?? "", botUserId),
    dedupeKey: `slack:${envelope.eventId}`,
    receivedAt,
  };
}

/** Messages baton answers: from a person, not edits or joins, not baton's own or another bot's. */
export function isFromPerson(event: MessageEventPayload, botUserId: string | null): boolean {
  if (event.subtype !== undefined || event.bot_id !== undefined || !event.user) return false;
  return event.user !== botUserId;
}
