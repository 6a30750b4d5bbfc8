import { encodeAction } from "../actions.js";
import type { Reply, ReplyBlock, ReplyButton } from "../reply.js";

/**
 * Reply → Block Kit, as pure functions (CONVENTIONS.md: rendering is unit-tested without a network).
 * Limits from https://api.slack.com/reference/block-kit/blocks: 50 blocks per message (100 in a
 * view), 3000 characters of section text, 150 of header text, 10 fields of 2000, 25 buttons.
 */
export type SlackBlock = Record<string, unknown>;

const MAX_MESSAGE_BLOCKS = 50;
const SECTION_LIMIT = 3000;
const HEADER_LIMIT = 150;
const FIELD_LIMIT = 2000;
const MAX_FIELDS = 10;
const MAX_BUTTONS = 25;
/** chat.postMessage's `text` is truncated by Slack at 40,000 characters; keep well below. */
const TEXT_LIMIT = 3900;

/** Slack's control characters; the renderers' *bold*, `code` and _italic_ are mrkdwn already. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

const mrkdwn = (text: string, limit = SECTION_LIMIT) => ({ type: "mrkdwn", text: clip(escapeMrkdwn(text), limit) });
const plain = (text: string, limit: number) => ({ type: "plain_text", text: clip(text, limit), emoji: true });

export function buttonElement(button: ReplyButton): SlackBlock {
  const id = encodeAction(button.action);
  return {
    type: "button",
    text: plain(button.label, 75),
    action_id: id,
    value: id,
    ...(button.style !== "default" && { style: button.style }),
  };
}

/** Splits lines into sections of at most SECTION_LIMIT characters each. */
function listSections(items: string[]): SlackBlock[] {
  const sections: SlackBlock[] = [];
  let chunk = "";
  for (const item of items) {
    const line = `• ${escapeMrkdwn(item)}`;
    if (chunk.length > 0 && chunk.length + line.length + 1 > SECTION_LIMIT) {
      sections.push({ type: "section", text: { type: "mrkdwn", text: chunk } });
      chunk = "";
    }
    chunk = chunk.length > 0 ? `${chunk}\n${clip(line, SECTION_LIMIT)}` : clip(line, SECTION_LIMIT);
  }
  if (chunk.length > 0) sections.push({ type: "section", text: { type: "mrkdwn", text: chunk } });
  return sections;
}

function fieldSections(fields: Array<{ label: string; value: string }>): SlackBlock[] {
  const sections: SlackBlock[] = [];
  for (let i = 0; i < fields.length; i += MAX_FIELDS) {
    const group = fields.slice(i, i + MAX_FIELDS);
    sections.push({
      type: "section",
      fields: group.map((f) => mrkdwn(`*${f.label}*\n${f.value.length > 0 ? f.value : "—"}`, FIELD_LIMIT)),
    });
  }
  return sections;
}

export function renderBlock(block: ReplyBlock): SlackBlock[] {
  switch (block.type) {
    case "header":
      return [{ type: "header", text: plain(block.text, HEADER_LIMIT) }];
    case "section":
      return [{ type: "section", text: mrkdwn(block.text) }];
    case "fields":
      return fieldSections(block.fields);
    case "list":
      return listSections(block.items);
    case "code":
      return [
        {
          type: "section",
          text: { type: "mrkdwn", text: `\`\`\`${clip(escapeMrkdwn(block.text), SECTION_LIMIT - 6)}\`\`\`` },
        },
      ];
    case "context":
      return [{ type: "context", elements: [mrkdwn(block.text)] }];
    case "divider":
      return [{ type: "divider" }];
    case "actions":
      return block.buttons.length === 0
        ? []
        : [{ type: "actions", elements: block.buttons.slice(0, MAX_BUTTONS).map(buttonElement) }];
  }
}

/**
 * The blocks of one message. Past the block limit the tail is cut and a context line says so,
 * but buttons are kept: a person must still be able to decide.
 */
export function renderBlocks(reply: Reply, limit = MAX_MESSAGE_BLOCKS): SlackBlock[] {
  const blocks = reply.blocks.flatMap(renderBlock);
  if (blocks.length <= limit) return blocks;
  const actions = blocks.filter((b) => b.type === "actions");
  const room = limit - actions.length - 1;
  const others = blocks.filter((b) => b.type !== "actions").slice(0, Math.max(0, room));
  return [
    ...others,
    { type: "context", elements: [mrkdwn("(shortened: more than Slack shows in one message)")] },
    ...actions,
  ];
}

/** The arguments chat.postMessage / chat.update take for a reply (`text` is the notification fallback). */
export function renderMessage(reply: Reply): { text: string; blocks: SlackBlock[] } {
  return { text: clip(escapeMrkdwn(reply.text), TEXT_LIMIT), blocks: renderBlocks(reply) };
}

/**
 * The clicked message after a decision: its buttons give way to a line saying who decided and when,
 * so nobody clicks twice and everybody sees the outcome.
 */
export function markDecided(blocks: SlackBlock[], line: string): SlackBlock[] {
  const kept = blocks.filter((b) => b.type !== "actions");
  // `line` is mrkdwn baton wrote itself (a <@U…> mention and a time), so it is not escaped.
  return [...kept, { type: "context", elements: [{ type: "mrkdwn", text: clip(line, SECTION_LIMIT) }] }];
}
