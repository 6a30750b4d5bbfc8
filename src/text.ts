/** Text helpers shared by the front-ends and the routers. */

/**
 * One line, at most `max` characters, an ellipsis where it was cut: whitespace runs become one
 * space, as `text.replace(/\s+/g, " ").trim()` would, but the scan stops once the line is known to
 * be too long, so a 100 KB message costs what its first `max` characters cost.
 */
export function truncate(text: string, max: number): string {
  let line = "";
  let space = false;
  for (let at = 0; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    if (isWhitespace(code)) {
      space = line !== "";
      continue;
    }
    if (space) line += " ";
    space = false;
    line += text.charAt(at);
    if (line.length > max) return `${line.slice(0, max - 1)}…`;
  }
  return line;
}

/** What `\s` matches in a JavaScript regular expression. */
export function isWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * Text baton repeats from a model or a user must not ping a whole channel: Slack's <!here>,
 * <!channel>, <!everyone> and the plain @here / @channel / @everyone lose their power.
 */
export function withoutMassMentions(text: string): string {
  return replaceMarkup(text, BROADCAST, (open) => `@\u200b${open[1]}`).replace(
    /@(here|channel|everyone)\b/gi,
    "@\u200b$1",
  );
}

const BROADCAST = /<!(here|channel|everyone)/gi;

/**
 * `text.replace(/<OPEN[^>]*>/g, …)`, read forward once: each match of `opener` (a global regex
 * that starts with `<` and cannot match `>`) runs to the first `>` after it, and `replace` gets
 * the opener and what lies between. The regex form re-reads the rest of the text from every
 * opener when no `>` follows, which is quadratic in a long message. `replace` may return
 * undefined to leave that opener as it is.
 */
export function replaceMarkup(
  text: string,
  opener: RegExp,
  replace: (open: RegExpExecArray, inner: string) => string | undefined,
): string {
  let out = "";
  let copied = 0;
  let close = -1;
  opener.lastIndex = 0;
  for (let open = opener.exec(text); open; open = opener.exec(text)) {
    const innerStart = open.index + open[0].length;
    // The first `>` after one opener is the first after every later opener before it.
    if (close < innerStart) close = text.indexOf(">", innerStart);
    if (close < 0) break;
    const replacement = replace(open, text.slice(innerStart, close));
    if (replacement === undefined) {
      opener.lastIndex = open.index + 1;
      continue;
    }
    out += text.slice(copied, open.index) + replacement;
    copied = close + 1;
    opener.lastIndex = copied;
  }
  return out + text.slice(copied);
}
