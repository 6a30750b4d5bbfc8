import { z } from "zod";
import { type IncomingInteraction, placeOf } from "./discord-interaction.js";

/**
 * The parts of Discord's interaction JSON baton reads, checked once at the boundary: the HTTP
 * endpoint's bodies, and the gateway's INTERACTION_CREATE before discord.js builds its objects
 * (it throws on an interaction without a user or without data, as an unhandled rejection).
 */

const id = z.string().min(1);
const ApiUser = z.object({ id, username: z.string() });

const ApiInteraction = z.object({
  id,
  token: id,
  application_id: id,
  type: z.number().int(),
  guild_id: z.string().optional(),
  channel_id: z.string().optional(),
  channel: z.object({ id, type: z.number().int(), parent_id: z.string().nullish() }).optional(),
  member: z.object({ user: ApiUser, roles: z.array(z.string()).max(250).optional() }).optional(),
  user: ApiUser.optional(),
  data: z
    .object({
      name: z.string().optional(),
      custom_id: z.string().optional(),
      component_type: z.number().int().optional(),
      options: z
        .array(z.object({ name: z.string(), value: z.unknown().optional(), focused: z.boolean().optional() }))
        .optional(),
    })
    .optional(),
  message: z.object({ id }).optional(),
});

/** What could still be read from a refused interaction: enough to answer it (id, token) and audit it. */
export interface InteractionSalvage {
  id: string | null;
  token: string | null;
  applicationId: string | null;
  guildId: string | null;
  channelId: string | null;
  userId: string | null;
  userName: string | null;
  /** The command's name, when the interaction named one. */
  command: string | null;
}

export interface InteractionProblem {
  code: string;
  message: string;
  salvage: InteractionSalvage;
}

/** Interaction types: 1 PING, 2 APPLICATION_COMMAND, 3 MESSAGE_COMPONENT. */
export type ParsedInteraction =
  | { kind: "ping" }
  | { kind: "interaction"; interaction: IncomingInteraction }
  | { kind: "invalid"; problem: InteractionProblem }
  | { kind: "unsupported"; reason: string };

export function parseInteraction(json: unknown): ParsedInteraction {
  const parsed = ApiInteraction.safeParse(json);
  if (!parsed.success) return invalid(shapeProblem(parsed.error, json), salvageOf(json));
  const raw = parsed.data;
  if (raw.type === 1) return { kind: "ping" };
  if (raw.type !== 2 && raw.type !== 3 && raw.type !== 4) {
    return { kind: "unsupported", reason: `interactions of type ${raw.type} are not handled by baton` };
  }
  const user = raw.member?.user ?? raw.user;
  if (!user) return invalid({ code: "missing_user", why: "it has no user or member" }, salvageOf(json));
  const channel = raw.channel
    ? { id: raw.channel.id, type: raw.channel.type, parentId: raw.channel.parent_id ?? null }
    : null;
  if (!channel && !raw.channel_id)
    return invalid({ code: "missing_channel", why: "it has no channel" }, salvageOf(json));
  const base = {
    id: raw.id,
    token: raw.token,
    applicationId: raw.application_id,
    guildId: raw.guild_id ?? null,
    ...placeOf(channel, raw.channel_id ?? null),
    user: { id: user.id, name: user.username, ...(raw.member?.roles && { roles: raw.member.roles }) },
  };
  if (!raw.data) return invalid({ code: "missing_data", why: "it has no data" }, salvageOf(json));
  if (raw.type === 2) {
    if (!raw.data.name) return invalid({ code: "missing_data_name", why: "it names no command" }, salvageOf(json));
    const options: Record<string, string> = {};
    for (const option of raw.data.options ?? []) {
      if (typeof option.value === "string") options[option.name] = option.value;
    }
    return { kind: "interaction", interaction: { ...base, kind: { type: "command", name: raw.data.name, options } } };
  }
  if (raw.type === 4) {
    const focused = (raw.data.options ?? []).find((option) => option.focused === true)?.value;
    const name = raw.data.name ?? "";
    const kind = { type: "autocomplete" as const, name, focused: typeof focused === "string" ? focused : "" };
    return { kind: "interaction", interaction: { ...base, kind } };
  }
  if (raw.data.component_type !== 2) return { kind: "unsupported", reason: "only baton's buttons are handled" };
  if (!raw.data.custom_id)
    return invalid({ code: "missing_data_custom_id", why: "its button has no id" }, salvageOf(json));
  if (!raw.message) return invalid({ code: "missing_message", why: "it names no message" }, salvageOf(json));
  return {
    kind: "interaction",
    interaction: { ...base, kind: { type: "button", customId: raw.data.custom_id, messageId: raw.message.id } },
  };
}

/** The message for a refused interaction: one sentence, the same on the gateway and the HTTP endpoint. */
export function refusal(why: string): string {
  return `baton could not read this Discord interaction because ${why}; nothing was run.`;
}

/** A signed body that is not JSON at all. */
export function unreadableBody(): InteractionProblem {
  return { code: "unreadable_body", message: refusal("its body is not JSON"), salvage: salvageOf(null) };
}

function invalid(found: { code: string; why: string }, salvage: InteractionSalvage): ParsedInteraction {
  return { kind: "invalid", problem: { code: found.code, message: refusal(found.why), salvage } };
}

function shapeProblem(error: z.ZodError, json: unknown): { code: string; why: string } {
  if (!isRecord(json)) return { code: "not_an_object", why: `its body is ${json === null ? "null" : typeof json}` };
  const issue = error.issues[0];
  const path = (issue?.path ?? []).map(String);
  const field = path.join(".");
  let at: unknown = json;
  for (const key of path) at = isRecord(at) ? at[key] : Array.isArray(at) ? at[Number(key)] : undefined;
  if (at === undefined) return { code: `missing_${path.join("_")}`, why: `it has no ${field}` };
  return { code: `invalid_${path.join("_")}`, why: `its ${field} is not valid` };
}

function salvageOf(json: unknown): InteractionSalvage {
  const raw = isRecord(json) ? json : {};
  const member = isRecord(raw.member) ? raw.member : {};
  const user = isRecord(member.user) ? member.user : isRecord(raw.user) ? raw.user : {};
  const channel = isRecord(raw.channel) ? raw.channel : {};
  return {
    id: text(raw.id),
    token: text(raw.token),
    applicationId: text(raw.application_id),
    guildId: text(raw.guild_id),
    channelId: text(channel.id) ?? text(raw.channel_id),
    userId: text(user.id),
    userName: text(user.username),
    command: isRecord(raw.data) ? text(raw.data.name) : null,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}
