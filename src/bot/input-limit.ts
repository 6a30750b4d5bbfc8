/**
 * One length limit for every entry point (issue 12 item 2): a message longer than the limit is
 * refused with one sentence naming the limit, before any parsing, routing or redaction looks at it.
 * Nothing downstream ever acts on a cut-off copy.
 */
import { isWhitespace } from "../text.js";

export const DEFAULT_MAX_INPUT_CHARS = 4000;

const COUNT = new Intl.NumberFormat("en-US");

/** The refusal for text longer than `max` characters, or null when it fits. */
export function inputTooLong(text: string, max: number): string | null {
  if (text.length <= max) return null;
  return `That message is ${COUNT.format(text.length)} characters; baton reads at most ${COUNT.format(max)}, so shorten it and send it again.`;
}

/**
 * The text an audit row stores for a request. An over-long request keeps its first `max`
 * characters (up to the last whole word) and says in the row that it was clipped: that is storage,
 * never what baton acted on, since such a request is refused.
 */
export function textForAudit(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = lastWordEnd(text, max);
  return `${text.slice(0, cut)} … [clipped for storage: ${COUNT.format(text.length)} characters in all]`;
}

/** Where the last whole word before `max` ends: a token cut in half could slip past redaction. */
function lastWordEnd(text: string, max: number): number {
  let at = max;
  while (at > 0 && !isWhitespace(text.charCodeAt(at))) at -= 1;
  while (at > 0 && isWhitespace(text.charCodeAt(at - 1))) at -= 1;
  return at;
}
