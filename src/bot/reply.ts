import type { ButtonAction } from "./actions.js";

/**
 * A platform-neutral reply. The Slack adapter renders it as Block Kit, the Discord adapter as
 * embeds and components, the console as text; `text` is the plain fallback every platform needs
 * (notifications, screen readers, logs).
 */
export type Tone = "info" | "success" | "warning" | "error";

export type ReplyBlock =
  | { type: "header"; text: string }
  /** Light markdown: *bold*, `code`, and line breaks. */
  | { type: "section"; text: string }
  | { type: "fields"; fields: Array<{ label: string; value: string }> }
  | { type: "list"; items: string[] }
  | { type: "code"; text: string }
  | { type: "context"; text: string }
  | { type: "divider" }
  /** Buttons (Slack actions block, Discord components); the console shows the typed command instead. */
  | { type: "actions"; buttons: ReplyButton[] };

/** One button; `action` is encoded into the platform's action/custom id by `encodeAction`. */
export interface ReplyButton {
  label: string;
  style: "primary" | "danger" | "default";
  action: ButtonAction;
}

export interface Reply {
  text: string;
  blocks: ReplyBlock[];
  tone: Tone;
  /** Shown only to the person who asked (help and errors on platforms that support it). */
  ephemeral: boolean;
  /** A second message only the asker sees, posted after this one: an admin's internals in status. */
  aside?: Reply;
}

export function reply(
  text: string,
  blocks: ReplyBlock[] = [],
  options: Partial<Pick<Reply, "tone" | "ephemeral">> = {},
): Reply {
  return { text, blocks, tone: options.tone ?? "info", ephemeral: options.ephemeral ?? false };
}

/** One clear sentence, shown to the asker alone where the platform allows. */
export function errorReply(message: string, suggestions: string[] = []): Reply {
  const blocks: ReplyBlock[] = [{ type: "section", text: message }];
  if (suggestions.length > 0) blocks.push({ type: "list", items: suggestions.map((s) => `\`${s}\``) });
  return reply(message, blocks, { tone: "error", ephemeral: true });
}
