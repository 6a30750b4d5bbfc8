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

/** Every scope a call or action counts against, widest first. */
export function scopesFor(owner: {
  actorId?: string | null;
  channel?: string | null;
  workflow?: string | null;
}): string[] {
  return [
    "global",
    ...(owner.workflow ? [`project:${owner.workflow}`] : []),
    ...(owner.actorId ? [`user:${owner.actorId}`] : []),
    ...(owner.channel ? [`channel:${owner.channel}`] : []),
  ];
}
