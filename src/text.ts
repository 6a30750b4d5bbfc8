/** Text helpers shared by the front-ends and the routers. */

/** One line, at most `max` characters, an ellipsis where it was cut. */
export function truncate(text: string, max: number): string {
  const single = text.replace(/\s+/g, " ").trim();
  return single.length <= max ? single : `${single.slice(0, max - 1)}…`;
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
