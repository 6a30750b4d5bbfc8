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
