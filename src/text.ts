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
  return text
    .replace(/<!(here|channel|everyone)[^<>]*>/gi, "@\u200b$1")
    .replace(/@(here|channel|everyone)\b/gi, "@\u200b$1");
}
