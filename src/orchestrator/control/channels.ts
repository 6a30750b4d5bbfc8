/**
 * A channel as typed in chat → the id a platform posts to: Slack's `<#C0123|ops>` and Discord's
 * `<#123>` mentions carry the id; a typed `#ops` is the name (Slack accepts names, the console
 * and fakes use them as they are).
 */
export function channelId(typed: string): string {
  const mention = /^<#([A-Za-z0-9]+)(?:\|[^>]*)?>$/.exec(typed.trim());
  if (mention?.[1]) return mention[1];
  return typed.trim().replace(/^#/, "");
}
