import { BatonError } from "../../errors.js";

/** `global`, `project:<workflow or goal>`, `user:<id>`, `channel:<id>`. */
const SCOPE = /^(global|(project|user|channel):[^\s:][^\s]{0,199})$/;

export function parseScope(text: string): string {
  const scope = text.trim().replace(/^#/, "channel:").replace(/^@/, "user:");
  if (SCOPE.test(scope)) return scope;
  throw new BatonError(
    "invalid_command",
    `"${text}" is not a budget scope; use global, project:<workflow>, user:<id> or channel:<id>.`,
  );
}

/** The user ids one person goes by: the asker's, and those of every account linked to them. */
export function personIds(owner: { actorId?: string | null; actorIds?: readonly string[] }): string[] {
  return [...new Set([...(owner.actorId ? [owner.actorId] : []), ...(owner.actorIds ?? [])])];
}

/**
 * Every scope a call or action counts against, widest first. A person with linked accounts counts
 * against the `user:` scope of each, so a budget on any of them limits the person.
 */
export function scopesFor(owner: {
  actorId?: string | null;
  actorIds?: readonly string[];
  channel?: string | null;
  workflow?: string | null;
}): string[] {
  return [
    "global",
    ...(owner.workflow ? [`project:${owner.workflow}`] : []),
    ...personIds(owner).map((id) => `user:${id}`),
    ...(owner.channel ? [`channel:${owner.channel}`] : []),
  ];
}
