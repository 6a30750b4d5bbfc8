import type { Reply, ReplyBlock } from "../reply.js";

export interface TextStyle {
  bold(text: string): string;
  dim(text: string): string;
  code(text: string): string;
}

export const plainStyle: TextStyle = { bold: (t) => t, dim: (t) => t, code: (t) => t };

export const ansiStyle: TextStyle = {
  bold: (t) => `\u001b[1m${t}\u001b[22m`,
  dim: (t) => `\u001b[2m${t}\u001b[22m`,
  code: (t) => `\u001b[36m${t}\u001b[39m`,
};

/** Light markdown (*bold*, `code`) to terminal text. */
function inline(text: string, style: TextStyle): string {
  // Code spans are set aside first, so a cron expression's `*` inside backticks is not read as
  // bold, while bold may still span a code span ("*Replay against `ex_1`: ok*").
  const spans: string[] = [];
  const held = text
    .replaceAll("\uE000", "")
    .replace(/`([^`\n]+)`/g, (_m, code: string) => `\uE000${spans.push(code) - 1}\uE000`);
  return held
    .replace(/\*([^*\n]+)\*/g, (_m, bold: string) => style.bold(bold))
    .replace(/\uE000(\d+)\uE000/g, (_m, index: string) => style.code(spans[Number(index)] ?? ""));
}

function block(b: ReplyBlock, style: TextStyle): string {
  switch (b.type) {
    case "header":
      return style.bold(b.text);
    case "section":
      return inline(b.text, style);
    case "fields": {
      const width = Math.max(0, ...b.fields.map((f) => f.label.length));
      return b.fields.map((f) => `  ${style.dim(`${f.label.padEnd(width)} `)} ${inline(f.value, style)}`).join("\n");
    }
    case "list":
      return b.items.map((item) => `  • ${inline(item, style)}`).join("\n");
    case "code":
      return b.text
        .split("\n")
        .map((line) => `    ${style.code(line)}`)
        .join("\n");
    case "context":
      return style.dim(inline(b.text, plainStyle));
    case "divider":
      return style.dim("─".repeat(40));
    case "actions":
      return "";
  }
}

/** Reply → the text the console prints. Falls back to `text` when there are no blocks. */
export function renderText(reply: Reply, style: TextStyle = plainStyle): string {
  if (reply.blocks.length === 0) return inline(reply.text, style);
  return reply.blocks
    .map((b) => block(b, style))
    .filter((line) => line.length > 0)
    .join("\n");
}
