/**
 * Who holds a role where. A subject is a person's account (`slack:U123`, `discord:42`,
 * `console:ada`) or a platform group (`slack:S0ONCALL` a Slack user group, `discord:99` a
 * Discord role). A grant applies everywhere, in one channel (the platform's channel id), or to one
 * workflow (the commands that name it).
 */
export interface Grant {
  id: number;
  subject: Subject;
  role: string;
  channel: string | null;
  workflow: string | null;
  grantedBy: string;
  grantedAt: Date;
}

export type Subject = { kind: "person"; account: string } | { kind: "group"; group: string };

export type GrantScope = Pick<Grant, "channel" | "workflow">;

export function subjectKey(subject: Subject): string {
  return subject.kind === "person" ? subject.account : `group:${subject.group}`;
}

export function describeScope(scope: GrantScope): string {
  if (scope.workflow !== null && scope.channel !== null)
    return `for workflow ${scope.workflow} in ${channelLabel(scope.channel)}`;
  if (scope.workflow !== null) return `for workflow ${scope.workflow}`;
  if (scope.channel !== null) return `in ${channelLabel(scope.channel)}`;
  return "everywhere";
}

/** Platform channel ids, shown so chat renders them as links (Slack `<#C…>`, Discord `<#…>`). */
export function channelLabel(channel: string): string {
  return /^[CGD][A-Z0-9]{6,}$/.test(channel) || /^\d{15,21}$/.test(channel) ? `<#${channel}>` : `#${channel}`;
}

/** Most specific first: a workflow beats a channel beats everywhere; then a person beats a group. */
export function specificity(grant: Pick<Grant, "channel" | "workflow" | "subject">): number {
  return (
    (grant.workflow !== null ? 4 : 0) + (grant.channel !== null ? 2 : 0) + (grant.subject.kind === "person" ? 1 : 0)
  );
}
