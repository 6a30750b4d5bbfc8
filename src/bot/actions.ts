/**
 * What a button does, and how it travels through a platform: Slack's `action_id`/`value` and
 * Discord's `custom_id` (at most 100 characters) carry `encodeAction(action)`.
 */
export type ButtonAction =
  /** Resolve a waiting execution (an approval step, or a decision about a cut-off step). */
  | { kind: "approve"; execution: string }
  | { kind: "reject"; execution: string }
  /** Answer a pending confirmation of a destructive command; `token` names it. */
  | { kind: "confirm"; token: string }
  | { kind: "decline"; token: string };

const PREFIX = "baton";
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function encodeAction(action: ButtonAction): string {
  const subject = "execution" in action ? action.execution : action.token;
  return `${PREFIX}:${action.kind}:${subject}`;
}

/** The action a platform sent back, or null when the id is not one of baton's (never throws). */
export function decodeAction(id: string): ButtonAction | null {
  const [prefix, kind, subject, ...rest] = id.split(":");
  if (prefix !== PREFIX || rest.length > 0 || subject === undefined || !ID_PATTERN.test(subject)) return null;
  switch (kind) {
    case "approve":
    case "reject":
      return { kind, execution: subject };
    case "confirm":
    case "decline":
      return { kind, token: subject };
    default:
      return null;
  }
}

/**
 * The `/orchestrate` text an approve/reject click stands for, so a click goes through the same
 * dispatcher (policy, approvers, audit) as the typed command. Confirmations have none: the
 * adapter resolves its pending prompt.
 */
export function commandTextFor(action: ButtonAction, note?: string): string | null {
  if (action.kind !== "approve" && action.kind !== "reject") return null;
  return `/orchestrate ${action.kind} ${action.execution}${note ? ` ${note}` : ""}`;
}
