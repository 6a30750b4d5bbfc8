import { createHmac, randomUUID } from "node:crypto";
import { BOT_USER, TEAM } from "./fake-slack.js";

/** What Slack sends baton: signed slash commands, events and clicks (HTTP mode), and their payloads. */

// --- Signed requests to baton's /slack/events (HTTP mode) ---------------------------------------

export const SIGNING_SECRET = "fake-signing-secret-0123456789";

/** v0 signature: HMAC-SHA256 of `v0:${timestamp}:${body}` with the signing secret. */
export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

export interface SignedOptions {
  timestamp?: number;
  secret?: string;
  signature?: string;
  retryNum?: number;
}

/** POSTs to baton like Slack: forms exactly `application/x-www-form-urlencoded` (Bolt compares it exactly). */
export async function postSigned(
  url: string,
  body: string,
  contentType: "application/x-www-form-urlencoded" | "application/json",
  options: SignedOptions = {},
): Promise<{ status: number; body: string }> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    "content-type": contentType,
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": options.signature ?? sign(body, timestamp, options.secret),
  };
  if (options.retryNum !== undefined) {
    headers["x-slack-retry-num"] = String(options.retryNum);
    headers["x-slack-retry-reason"] = "http_timeout";
  }
  const response = await fetch(url, { method: "POST", headers, body });
  return { status: response.status, body: await response.text() };
}

export function commandBody(command: string, text: string, fields: Record<string, string> = {}): string {
  return new URLSearchParams({
    token: "deprecated",
    team_id: TEAM,
    team_domain: "baton",
    channel_id: "C0OPS",
    channel_name: "ops",
    user_id: "U0ADA",
    user_name: "ada",
    command,
    text,
    api_app_id: "A0BATON",
    response_url: "https://hooks.slack.invalid/commands/1",
    trigger_id: `trigger-${randomUUID()}`,
    ...fields,
  }).toString();
}

export function eventBody(event: Record<string, unknown>, eventId = `Ev${randomUUID().slice(0, 8)}`): string {
  return JSON.stringify(eventEnvelope(event, eventId));
}

export function eventEnvelope(event: Record<string, unknown>, eventId: string): Record<string, unknown> {
  return {
    token: "deprecated",
    team_id: TEAM,
    api_app_id: "A0BATON",
    event: { event_ts: event.ts ?? "1700000000.000100", ...event },
    type: "event_callback",
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: TEAM, user_id: BOT_USER, is_bot: true }],
  };
}

/** A block_actions payload for a click on the button `actionId` of the message `message`. */
export function clickPayload(
  actionId: string,
  user: { id: string; name: string },
  message: { channel: string; ts: string; blocks?: unknown; text?: string; thread_ts?: string } | null,
): Record<string, unknown> {
  return {
    type: "block_actions",
    team: { id: TEAM, domain: "baton" },
    user: { id: user.id, username: user.name, name: user.name, team_id: TEAM },
    api_app_id: "A0BATON",
    token: "deprecated",
    trigger_id: `trigger-${randomUUID()}`,
    response_url: "https://hooks.slack.invalid/actions/1",
    ...(message
      ? {
          container: { type: "message", message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
          channel: { id: message.channel, name: "ops" },
          message: {
            type: "message",
            ts: message.ts,
            text: message.text ?? "",
            blocks: message.blocks ?? [],
            ...(message.thread_ts && { thread_ts: message.thread_ts }),
          },
        }
      : { container: { type: "view", view_id: "V1" }, view: { id: "V1", type: "home" } }),
    actions: [
      { type: "button", action_id: actionId, block_id: "b1", value: actionId, action_ts: `${Date.now() / 1000}` },
    ],
  };
}

export function clickBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
