import { z } from "zod";
import { type IncomingInteraction, placeOf } from "./discord-interaction.js";

/** The parts of Discord's interaction JSON baton reads (HTTP endpoint), checked once at the boundary. */

const ApiUser = z.object({ id: z.string(), username: z.string() });

const ApiInteraction = z.object({
  id: z.string(),
  token: z.string(),
  application_id: z.string(),
  type: z.number().int(),
  guild_id: z.string().optional(),
  channel_id: z.string().optional(),
  channel: z.object({ id: z.string(), type: z.number().int(), parent_id: z.string().nullish() }).optional(),
  member: z.object({ user: ApiUser }).optional(),
  user: ApiUser.optional(),
  data: z
    .object({
      name: z.string().optional(),
      custom_id: z.string().optional(),
      component_type: z.number().int().optional(),
      options: z.array(z.object({ name: z.string(), value: z.unknown().optional() })).optional(),
    })
    .optional(),
  message: z.object({ id: z.string() }).optional(),
});

/** Interaction types: 1 PING, 2 APPLICATION_COMMAND, 3 MESSAGE_COMPONENT. */
export type ParsedInteraction =
  | { kind: "ping" }
  | { kind: "interaction"; interaction: IncomingInteraction }
  | { kind: "unsupported"; reason: string };

export function parseInteraction(json: unknown): ParsedInteraction {
  const parsed = ApiInteraction.safeParse(json);
  if (!parsed.success) return { kind: "unsupported", reason: "the interaction payload is not one baton understands" };
  const raw = parsed.data;
  if (raw.type === 1) return { kind: "ping" };
  const user = raw.member?.user ?? raw.user;
  if (!user) return { kind: "unsupported", reason: "the interaction has no user" };
  const channel = raw.channel
    ? { id: raw.channel.id, type: raw.channel.type, parentId: raw.channel.parent_id ?? null }
    : null;
  const base = {
    id: raw.id,
    token: raw.token,
    applicationId: raw.application_id,
    guildId: raw.guild_id ?? null,
    ...placeOf(channel, raw.channel_id ?? null),
    user: { id: user.id, name: user.username },
  };
  if (raw.type === 2 && raw.data?.name) {
    const options: Record<string, string> = {};
    for (const option of raw.data.options ?? []) {
      if (typeof option.value === "string") options[option.name] = option.value;
    }
    return { kind: "interaction", interaction: { ...base, kind: { type: "command", name: raw.data.name, options } } };
  }
  if (raw.type === 3 && raw.data?.component_type === 2 && raw.data.custom_id && raw.message) {
    return {
      kind: "interaction",
      interaction: { ...base, kind: { type: "button", customId: raw.data.custom_id, messageId: raw.message.id } },
    };
  }
  return { kind: "unsupported", reason: `interactions of type ${raw.type} are not handled by baton` };
}
