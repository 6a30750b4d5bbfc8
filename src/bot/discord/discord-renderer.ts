import {
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIEmbed,
  type APIEmbedField,
  ButtonStyle,
  ComponentType,
  MessageFlags,
} from "discord.js";
import { encodeAction } from "../actions.js";
import type { Reply, ReplyBlock, ReplyButton, Tone } from "../reply.js";

/**
 * Reply → Discord message body (embeds and button components): pure functions, no network.
 * Limits are Discord's, and a message over them is rejected whole, so everything is cut to fit.
 * @see https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 * @see https://discord.com/developers/docs/components/reference#button
 */
export const DISCORD_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  embedTotal: 6000,
  buttonsPerRow: 5,
  rows: 5,
  buttonLabel: 80,
  customId: 100,
} as const;

export interface DiscordMessageBody {
  embeds: APIEmbed[];
  components: Array<APIActionRowComponent<APIButtonComponentWithCustomId>>;
  /** Never ping anyone from text baton repeats (a request, a model's answer, a workflow output). */
  allowed_mentions: { parse: []; users?: string[] };
  /** Set on messages created as ephemeral; edits keep the flags the message was created with. */
  flags?: number;
}

/** A message created in a channel or as a follow-up: may ping (content) and reply to another message. */
export type NewMessageBody = DiscordMessageBody & {
  content?: string;
  message_reference?: { message_id: string; fail_if_not_exists: boolean };
};

const TONE_COLOR: Record<Tone, number> = {
  info: 0x5865f2,
  success: 0x57f287,
  warning: 0xfee75c,
  error: 0xed4245,
};

const BUTTON_STYLE: Record<ReplyButton["style"], ButtonStyle.Primary | ButtonStyle.Danger | ButtonStyle.Secondary> = {
  primary: ButtonStyle.Primary,
  danger: ButtonStyle.Danger,
  default: ButtonStyle.Secondary,
};

/** The body for a new message or an edit; `ephemeral` only matters when the message is created. */
export function renderDiscordMessage(reply: Reply, extraContext: string[] = []): DiscordMessageBody {
  const body: DiscordMessageBody = {
    embeds: [renderEmbed(reply, extraContext)],
    components: renderComponents(reply.blocks),
    allowed_mentions: { parse: [] },
  };
  if (reply.ephemeral) body.flags = MessageFlags.Ephemeral;
  return body;
}

/** Slack-style light markdown (*bold*) to Discord's (**bold**); code spans are left alone. */
export function discordMarkdown(text: string): string {
  return text
    .split(/(`[^`\n]*`)/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/(^|[^*\w])\*([^*\n]+)\*(?![*\w])/g, "$1**$2**")))
    .join("");
}

export function renderEmbed(reply: Reply, extraContext: string[] = []): APIEmbed {
  const title = reply.blocks.find((b): b is Extract<ReplyBlock, { type: "header" }> => b.type === "header");
  const lines: string[] = [];
  const fields: APIEmbedField[] = [];
  for (const block of reply.blocks) {
    if (block === title) continue;
    if (block.type === "fields") fields.push(...block.fields.map(toField));
    else lines.push(...blockLines(block));
  }
  if (reply.blocks.length === 0) lines.push(discordMarkdown(reply.text));
  lines.push(...extraContext.map((text) => `-# ${text}`));
  const embed: APIEmbed = { color: TONE_COLOR[reply.tone] };
  let budget: number = DISCORD_LIMITS.embedTotal;
  if (title) {
    embed.title = cut(title.text, DISCORD_LIMITS.title);
    budget -= embed.title.length;
  }
  const description = fitLines(lines, Math.min(DISCORD_LIMITS.description, budget));
  if (description.length > 0) embed.description = description;
  budget -= description.length;
  const kept = fitFields(fields, budget);
  if (kept.length > 0) embed.fields = kept;
  return embed;
}

function blockLines(block: Exclude<ReplyBlock, { type: "fields" }>): string[] {
  switch (block.type) {
    case "header":
      return [`**${block.text}**`];
    case "section":
      return [discordMarkdown(block.text)];
    case "list":
      return block.items.map((item) => `• ${discordMarkdown(item)}`);
    case "code":
      return [`\`\`\`\n${block.text.replace(/```/g, "`\u200b``")}\n\`\`\``];
    case "context":
      return [`-# ${discordMarkdown(block.text)}`];
    case "divider":
      return ["\u200b"];
    case "actions":
      return [];
  }
}

function toField(field: { label: string; value: string }): APIEmbedField {
  return {
    name: cut(field.label, DISCORD_LIMITS.fieldName) || "\u200b",
    value: cut(discordMarkdown(field.value), DISCORD_LIMITS.fieldValue) || "—",
    inline: field.value.length <= 40,
  };
}

/** Whole lines while they fit, then one line saying how many were left out. */
function fitLines(lines: string[], max: number): string {
  const all = lines.join("\n");
  if (all.length <= max) return all;
  const kept: string[] = [];
  let length = 0;
  for (const [index, line] of lines.entries()) {
    const note = `… ${lines.length - index} more line${lines.length - index === 1 ? "" : "s"} not shown`;
    const next = length + line.length + 1;
    if (next + note.length + 1 > max) {
      // A single giant line (a long code block) is cut rather than dropped.
      if (kept.length === 0) return `${cut(line, max - note.length - 1)}\n${note}`;
      return [...kept, note].join("\n");
    }
    kept.push(line);
    length = next;
  }
  return kept.join("\n");
}

function fitFields(fields: APIEmbedField[], budget: number): APIEmbedField[] {
  const kept: APIEmbedField[] = [];
  let left = budget;
  for (const field of fields.slice(0, DISCORD_LIMITS.fields)) {
    const size = field.name.length + field.value.length;
    if (size > left) break;
    kept.push(field);
    left -= size;
  }
  return kept;
}

function renderComponents(blocks: ReplyBlock[]): DiscordMessageBody["components"] {
  const buttons = blocks.flatMap((b) => (b.type === "actions" ? b.buttons : []));
  const rows: DiscordMessageBody["components"] = [];
  for (
    let start = 0;
    start < buttons.length && rows.length < DISCORD_LIMITS.rows;
    start += DISCORD_LIMITS.buttonsPerRow
  ) {
    rows.push({
      type: ComponentType.ActionRow,
      components: buttons.slice(start, start + DISCORD_LIMITS.buttonsPerRow).map(toButton),
    });
  }
  return rows;
}

function toButton(button: ReplyButton): APIButtonComponentWithCustomId {
  const customId = encodeAction(button.action);
  // encodeAction's ids are bounded (prefix, kind, a 64-character id); a longer one is a bug here.
  if (customId.length > DISCORD_LIMITS.customId) throw new Error(`custom_id over 100 characters: ${customId}`);
  return {
    type: ComponentType.Button,
    style: BUTTON_STYLE[button.style],
    label: cut(button.label, DISCORD_LIMITS.buttonLabel),
    custom_id: customId,
  };
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
