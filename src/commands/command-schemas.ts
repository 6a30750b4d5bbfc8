import { z } from "zod";

/**
 * Each command type's zod schema (DESIGN.md "The command vocabulary"); `COMMAND_SPECS` in
 * commands.ts binds each one to its type with the rest of its description.
 */

const name = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "letters, digits, '_', '-' or '.'");
const text = z.string().trim().min(1).max(4000);
const limit = z.number().int().min(1).max(100);

export const EXECUTION_STATUSES = [
  "pending",
  "running",
  "waiting",
  "succeeded",
  "failed",
  "cancelled",
  "interrupted",
] as const;
export const ExecutionStatus = z.enum(EXECUTION_STATUSES);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

export const ORCHESTRATOR_MODES = ["manual", "scheduled", "continuous", "paused"] as const;

export const helpCommand = z.object({ type: z.literal("help"), topic: z.string().max(100).optional() });
export const statusCommand = z.object({ type: z.literal("status") });
export const AUDIT_OUTCOMES = ["pending", "ok", "denied", "invalid", "unavailable", "error", "interrupted"] as const;
const instant = z.iso.datetime({ offset: true, message: "expected a time such as 2026-12-04T09:00:00Z" });
export const historyCommand = z.object({
  type: z.literal("history"),
  limit: limit.optional(),
  user: z.string().min(1).max(200).optional(),
  /** Only requests that resolved to this command type (`workflow.run`). */
  command: z
    .string()
    .regex(/^[a-z]+(\.[a-z]+)?$/, "a command type such as workflow.run")
    .optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  /** Received at or after this time. */
  since: instant.optional(),
  /** Received before this time. */
  until: instant.optional(),
  /** Older than this audit row (the next page after it). */
  before: z.number().int().positive().optional(),
});
export const workflowListCommand = z.object({ type: z.literal("workflow.list") });
export const workflowShowCommand = z.object({ type: z.literal("workflow.show"), workflow: name });
export const workflowRunCommand = z.object({
  type: z.literal("workflow.run"),
  workflow: name,
  input: z.record(z.string().min(1).max(100), z.string().max(4000)).default({}),
});
export const workflowRollbackCommand = z.object({
  type: z.literal("workflow.rollback"),
  workflow: name,
  version: z.number().int().min(1),
});
export const executionListCommand = z.object({
  type: z.literal("execution.list"),
  status: ExecutionStatus.optional(),
  limit: limit.optional(),
});
export const executionShowCommand = z.object({ type: z.literal("execution.show"), execution: name });
export const executionApproveCommand = z.object({
  type: z.literal("execution.approve"),
  execution: name,
  note: z.string().max(2000).optional(),
});
export const executionRejectCommand = z.object({
  type: z.literal("execution.reject"),
  execution: name,
  note: z.string().max(2000).optional(),
});
export const executionCancelCommand = z.object({ type: z.literal("execution.cancel"), execution: name });
export const askCommand = z.object({ type: z.literal("ask"), question: text, specialty: name.optional() });
export const agentListCommand = z.object({ type: z.literal("agent.list") });
export const agentSpawnCommand = z.object({
  type: z.literal("agent.spawn"),
  specialty: name,
  context: z.string().max(4000).optional(),
});
export const agentRetireCommand = z.object({ type: z.literal("agent.retire"), agent: name });
export const orchestratorStepCommand = z.object({ type: z.literal("orchestrator.step") });
export const orchestratorModeCommand = z.object({
  type: z.literal("orchestrator.mode"),
  mode: z.enum(ORCHESTRATOR_MODES),
});
export const scheduleListCommand = z.object({ type: z.literal("schedule.list") });
export const scheduleCreateCommand = z.object({
  type: z.literal("schedule.create"),
  cron: z.string().min(1).max(200),
  tz: z.string().min(1).max(100).optional(),
  action: z.string().min(1).max(200),
  target: z.string().min(1).max(200).optional(),
  input: z.record(z.string(), z.string()).optional(),
});
export const scheduleDeleteCommand = z.object({ type: z.literal("schedule.delete"), schedule: name });
export const digestCommand = z.object({ type: z.literal("digest"), channel: z.string().min(1).max(200).optional() });
export const budgetShowCommand = z.object({
  type: z.literal("budget.show"),
  scope: z.string().min(1).max(200).optional(),
});
export const budgetSetCommand = z.object({
  type: z.literal("budget.set"),
  scope: z.string().min(1).max(200),
  limits: z.record(z.string().min(1).max(100), z.number().nonnegative()),
});
/** Who: a mention (`<@U123>`, `<!subteam^S1|@oncall>`, `<@&42>`), `slack:U123`, `group:slack:S1`, or a console name. */
const subject = z.string().trim().min(1).max(200);
/** Where: a channel mention (`<#C123|ops>`, `<#42>`) or a channel id. */
const channel = z.string().trim().min(1).max(200);
export const accessGrantCommand = z.object({
  type: z.literal("access.grant"),
  subject,
  role: name,
  channel: channel.optional(),
  workflow: name.optional(),
});
export const accessRevokeCommand = z.object({
  type: z.literal("access.revoke"),
  subject,
  role: name,
  channel: channel.optional(),
  workflow: name.optional(),
});
export const accessShowCommand = z.object({
  type: z.literal("access.show"),
  subject: subject.optional(),
  channel: channel.optional(),
});
export const accessWhoamiCommand = z.object({ type: z.literal("access.whoami") });
/** `link` asks for a one-time code; `link CODE` (on another account) redeems it. */
export const identityLinkCommand = z.object({
  type: z.literal("identity.link"),
  code: z.string().trim().min(4).max(40).optional(),
});
export const identityUnlinkCommand = z.object({ type: z.literal("identity.unlink") });
/** `/improve` proposals, newest first: all, or those `proposed` (waiting for Apply/Discard), `applied` or `discarded`. */
export const proposalListCommand = z.object({
  type: z.literal("proposal.list"),
  status: z.enum(["proposed", "applied", "discarded"]).optional(),
  workflow: name.optional(),
  limit: limit.optional(),
});
/** Personal API tokens (README "HTTP API"): created and answered privately, listed, revoked by number. */
export const tokenCreateCommand = z.object({
  type: z.literal("token.create"),
  name: z.string().trim().min(1).max(100).optional(),
});
export const tokenListCommand = z.object({ type: z.literal("token.list") });
export const tokenRevokeCommand = z.object({ type: z.literal("token.revoke"), token: z.number().int().positive() });
export const improveCommand = z.object({ type: z.literal("improve"), feedback: text, execution: name.optional() });

/** Every command, parsed by its `type`. */
export const Command = z.discriminatedUnion("type", [
  helpCommand,
  statusCommand,
  historyCommand,
  workflowListCommand,
  workflowShowCommand,
  workflowRunCommand,
  workflowRollbackCommand,
  executionListCommand,
  executionShowCommand,
  executionApproveCommand,
  executionRejectCommand,
  executionCancelCommand,
  askCommand,
  agentListCommand,
  agentSpawnCommand,
  agentRetireCommand,
  orchestratorStepCommand,
  orchestratorModeCommand,
  scheduleListCommand,
  scheduleCreateCommand,
  scheduleDeleteCommand,
  digestCommand,
  budgetShowCommand,
  budgetSetCommand,
  improveCommand,
  accessGrantCommand,
  accessRevokeCommand,
  accessShowCommand,
  accessWhoamiCommand,
  identityLinkCommand,
  identityUnlinkCommand,
  proposalListCommand,
  tokenCreateCommand,
  tokenListCommand,
  tokenRevokeCommand,
]);
export type Command = z.infer<typeof Command>;
export type CommandType = Command["type"];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
