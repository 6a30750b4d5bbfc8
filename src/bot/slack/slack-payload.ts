import { randomUUID } from "node:crypto";
import { z } from "zod";

/**
 * Checks a signed Slack request's body before Bolt sees it (pure). Bolt trusts the shape of what
 * is signed: a JSON `null` crashes its receiver, a missing trigger_id or channel_id reaches the
 * listeners as `undefined`, a repeated form key as an array. Anything baton would misread is
 * refused here, with a code naming what was wrong.
 */

export type SlackBody =
  | { kind: "form"; fields: Record<string, string | string[]> }
  | { kind: "json"; value: unknown }
  | { kind: "unreadable"; detail: string };

/** What could still be read from a refused payload, for its audit row. */
export interface Salvage {
  workspace: string | null;
  channel: string | null;
  actorId: string | null;
  actorName: string | null;
  text: string;
  eventId: string | null;
}

export interface PayloadProblem {
  code: string;
  message: string;
  salvage: Salvage;
}

/** Good bodies go on to Bolt; `needsApi` is false for those Bolt answers itself (url_verification). */
export type PayloadCheck = { ok: true; needsApi: boolean } | { ok: false; problem: PayloadProblem };

const FORM = "application/x-www-form-urlencoded";

/** Bolt reads a body as a form only when the content type is exactly this; anything else as JSON. */
export function readSlackBody(raw: string, contentType: string | undefined): SlackBody {
  if (contentType === FORM) {
    const fields: Record<string, string | string[]> = {};
    for (const [key, value] of new URLSearchParams(raw)) {
      const seen = fields[key];
      fields[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
    }
    const payload = fields.payload;
    if (payload === undefined || Array.isArray(payload)) return { kind: "form", fields };
    return parseJson(payload);
  }
  return parseJson(raw);
}

function parseJson(text: string): SlackBody {
  try {
    return { kind: "json", value: JSON.parse(text) as unknown };
  } catch (error) {
    return { kind: "unreadable", detail: error instanceof Error ? error.message : String(error) };
  }
}

/** An ssl_check form: Slack sends it unsigned, and Bolt answers it without any listener. */
export function isSslCheck(body: SlackBody): boolean {
  return body.kind === "form" && body.fields.ssl_check === "1";
}

const id = z.string().min(1);

const SlashCommand = z.object({
  command: id,
  text: z.string(),
  team_id: id,
  channel_id: id,
  user_id: id,
  trigger_id: id,
  user_name: z.string().optional(),
});

const MessageEvent = z.object({
  type: id,
  channel: id,
  ts: id,
  user: z.string().optional(),
  text: z.string().optional(),
});

/** The events baton listens to, with the fields its listeners read. */
const EVENT_SHAPES: Record<string, z.ZodType> = {
  message: MessageEvent,
  app_mention: MessageEvent,
  app_home_opened: z.object({ type: id, user: id, tab: z.string().optional() }),
};

const EventCallback = z.object({
  type: z.literal("event_callback"),
  event_id: id,
  team_id: z.string().optional(),
  event: z.looseObject({ type: id }),
});

const BlockActions = z.object({
  type: z.literal("block_actions"),
  trigger_id: id,
  user: z.looseObject({ id }),
  actions: z.array(z.looseObject({ action_id: z.string() })).min(1),
});

/** JSON bodies Slack posts to the events URL; interactivity payloads carry their own `type`. */
const PASS_TYPES = new Set(["url_verification", "app_rate_limited"]);
const INTERACTIVE_TYPES = new Set([
  "block_actions",
  "view_submission",
  "view_closed",
  "shortcut",
  "message_action",
  "block_suggestion",
]);

export function checkSlackBody(body: SlackBody): PayloadCheck {
  if (body.kind === "unreadable") return refuse("unreadable_body", `its body is not JSON (${body.detail})`, {});
  if (body.kind === "form") return checkCommand(body.fields);
  const value = body.value;
  if (!isRecord(value)) return refuse("not_an_object", `its body is ${describe(value)}, not an object`, {});
  const type = value.type;
  if (typeof type === "string" && PASS_TYPES.has(type)) return { ok: true, needsApi: false };
  if (type === "event_callback") return checkEvent(value);
  if (type === "block_actions") return checkShape(BlockActions, value, salvageAction(value));
  if (typeof type === "string" && INTERACTIVE_TYPES.has(type)) return { ok: true, needsApi: true };
  return refuse("unknown_payload_type", `its type ${JSON.stringify(type ?? null)} is not one Slack sends`, {});
}

/**
 * Socket Mode's payloads arrive as JSON (no forms, no signature): slash commands as the form's
 * fields in an object, events and clicks as over HTTP.
 */
export function checkSocketPayload(body: unknown): PayloadCheck {
  if (isRecord(body) && "command" in body && !("type" in body)) {
    const fields = body as Record<string, string | string[]>;
    return checkShape(SlashCommand, body, salvageCommand(fields));
  }
  return checkSlackBody({ kind: "json", value: body });
}

/** The audit key of a refused payload: a redelivered event keeps its event_id (one row); the rest get one each. */
export function refusalKey(problem: PayloadProblem): string {
  return `slack:invalid:${problem.salvage.eventId ?? randomUUID()}`;
}

function checkCommand(fields: Record<string, string | string[]>): PayloadCheck {
  const salvage = salvageCommand(fields);
  const repeated = Object.entries(fields).find(([, value]) => Array.isArray(value));
  if (repeated) return refuse(`repeated_${repeated[0]}`, `the field ${repeated[0]} appears more than once`, salvage);
  return checkShape(SlashCommand, fields, salvage);
}

function checkEvent(value: Record<string, unknown>): PayloadCheck {
  const event = isRecord(value.event) ? value.event : {};
  const salvage = salvageEvent(value, event);
  const envelope = checkShape(EventCallback, value, salvage);
  if (!envelope.ok) return envelope;
  const schema = EVENT_SHAPES[String(event.type)];
  if (!schema) return envelope;
  const inner = checkShape(schema, event, salvage);
  if (inner.ok) return inner;
  return { ok: false, problem: { ...inner.problem, code: inner.problem.code.replace(/^(\w+?)_/, "$1_event_") } };
}

function checkShape(schema: z.ZodType, value: Record<string, unknown>, salvage: Partial<Salvage>): PayloadCheck {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, needsApi: true };
  const issue = parsed.error.issues[0];
  const path = (issue?.path ?? []).map(String);
  const field = path.join(".");
  const code = path.join("_") || "payload";
  if (valueAt(value, path) === undefined) return refuse(`missing_${code}`, `it has no ${field}`, salvage);
  return refuse(`invalid_${code}`, `its ${field} is not valid (${issue?.message ?? "wrong type"})`, salvage);
}

function refuse(code: string, why: string, salvage: Partial<Salvage>): PayloadCheck {
  return {
    ok: false,
    problem: {
      code,
      message: `baton refused a Slack request because ${why}; nothing was run.`,
      salvage: {
        workspace: salvage.workspace ?? null,
        channel: salvage.channel ?? null,
        actorId: salvage.actorId ?? null,
        actorName: salvage.actorName ?? null,
        text: salvage.text ?? "(an unreadable Slack request)",
        eventId: salvage.eventId ?? null,
      },
    },
  };
}

function salvageCommand(fields: Record<string, string | string[]>): Partial<Salvage> {
  const first = (key: string) => {
    const value: unknown = fields[key];
    const one = Array.isArray(value) ? value[0] : value;
    return typeof one === "string" ? one : null;
  };
  const command = first("command");
  return {
    workspace: first("team_id"),
    channel: first("channel_id"),
    actorId: first("user_id"),
    actorName: first("user_name"),
    text: command ? `${command} ${first("text") ?? ""}`.trim() : "(a Slack slash command without its command)",
  };
}

function salvageEvent(value: Record<string, unknown>, event: Record<string, unknown>): Partial<Salvage> {
  return {
    workspace: stringOrNull(value.team_id),
    channel: stringOrNull(event.channel),
    actorId: stringOrNull(event.user),
    text: stringOrNull(event.text) ?? `(a Slack ${stringOrNull(event.type) ?? "event"} event)`,
    eventId: stringOrNull(value.event_id),
  };
}

function salvageAction(value: Record<string, unknown>): Partial<Salvage> {
  const field = (key: string, inner: string) => {
    const outer = value[key];
    return isRecord(outer) ? stringOrNull(outer[inner]) : null;
  };
  return {
    workspace: field("team", "id"),
    channel: field("channel", "id"),
    actorId: field("user", "id"),
    text: "(a Slack button click)",
  };
}

function valueAt(value: unknown, path: string[]): unknown {
  let at: unknown = value;
  for (const key of path) at = isRecord(at) || Array.isArray(at) ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}
