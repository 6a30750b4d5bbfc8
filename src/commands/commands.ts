import { z } from "zod";

/**
 * The command vocabulary (DESIGN.md "The command vocabulary"). The grammar, the routers, the
 * policy, the audit log and the tests all speak these types. Names are fixed: add, never rename.
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

export const Command = z.discriminatedUnion("type", [
  z.object({ type: z.literal("help"), topic: z.string().max(100).optional() }),
  z.object({ type: z.literal("status") }),
  z.object({ type: z.literal("history"), limit: limit.optional(), user: z.string().min(1).max(200).optional() }),
  z.object({ type: z.literal("workflow.list") }),
  z.object({ type: z.literal("workflow.show"), workflow: name }),
  z.object({
    type: z.literal("workflow.run"),
    workflow: name,
    input: z.record(z.string().min(1).max(100), z.string().max(4000)).default({}),
  }),
  z.object({ type: z.literal("workflow.rollback"), workflow: name, version: z.number().int().min(1) }),
  z.object({ type: z.literal("execution.list"), status: ExecutionStatus.optional(), limit: limit.optional() }),
  z.object({ type: z.literal("execution.show"), execution: name }),
  z.object({ type: z.literal("execution.approve"), execution: name, note: z.string().max(2000).optional() }),
  z.object({ type: z.literal("execution.reject"), execution: name, note: z.string().max(2000).optional() }),
  z.object({ type: z.literal("execution.cancel"), execution: name }),
  z.object({ type: z.literal("ask"), question: text, specialty: name.optional() }),
  z.object({ type: z.literal("agent.list") }),
  z.object({ type: z.literal("agent.spawn"), specialty: name, context: z.string().max(4000).optional() }),
  z.object({ type: z.literal("agent.retire"), agent: name }),
  z.object({ type: z.literal("orchestrator.step") }),
  z.object({ type: z.literal("orchestrator.mode"), mode: z.enum(ORCHESTRATOR_MODES) }),
  z.object({ type: z.literal("schedule.list") }),
  z.object({
    type: z.literal("schedule.create"),
    cron: z.string().min(1).max(200),
    tz: z.string().min(1).max(100).optional(),
    action: z.string().min(1).max(200),
    target: z.string().min(1).max(200).optional(),
    input: z.record(z.string(), z.string()).optional(),
  }),
  z.object({ type: z.literal("schedule.delete"), schedule: name }),
  z.object({ type: z.literal("digest"), channel: z.string().min(1).max(200).optional() }),
  z.object({ type: z.literal("budget.show"), scope: z.string().min(1).max(200).optional() }),
  z.object({
    type: z.literal("budget.set"),
    scope: z.string().min(1).max(200),
    limits: z.record(z.string().min(1).max(100), z.number().nonnegative()),
  }),
  z.object({ type: z.literal("improve"), feedback: text, execution: name.optional() }),
]);
export type Command = z.infer<typeof Command>;
export type CommandType = Command["type"];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

/** read: anyone. write: anyone unless BATON_ADMINS is set. destructive: like write, plus confirmation. */
export type Access = "read" | "write" | "destructive";

export interface CommandSpec {
  access: Access;
  usage: string;
  summary: string;
}

export const COMMAND_SPECS: Readonly<Record<CommandType, CommandSpec>> = {
  help: { access: "read", usage: "help [topic]", summary: "Show what you can do here." },
  status: { access: "read", usage: "status", summary: "Running and waiting executions, mode, health." },
  history: { access: "read", usage: "history [n] [user=@name]", summary: "Recent commands from the audit log." },
  "workflow.list": { access: "read", usage: "workflows", summary: "Known workflows and their current version." },
  "workflow.show": { access: "read", usage: "show <workflow>", summary: "A workflow's steps, inputs and versions." },
  "workflow.run": { access: "write", usage: "run <workflow> [key=value…]", summary: "Start a workflow." },
  "workflow.rollback": {
    access: "destructive",
    usage: "rollback <workflow> <version>",
    summary: "Make an older workflow version current.",
  },
  "execution.list": { access: "read", usage: "runs [status] [n]", summary: "Recent executions." },
  "execution.show": {
    access: "read",
    usage: "show <execution>",
    summary: "An execution's steps, timings and outputs.",
  },
  "execution.approve": { access: "write", usage: "approve <execution> [note]", summary: "Approve a waiting step." },
  "execution.reject": { access: "write", usage: "reject <execution> [reason]", summary: "Reject a waiting step." },
  "execution.cancel": { access: "destructive", usage: "cancel <execution>", summary: "Cancel an execution." },
  ask: { access: "write", usage: "ask <question>", summary: "Ask a specialist agent." },
  "agent.list": { access: "read", usage: "agents", summary: "Active specialist agents." },
  "agent.spawn": { access: "write", usage: "spawn <specialty> [context]", summary: "Start a specialist agent." },
  "agent.retire": { access: "write", usage: "retire <agent>", summary: "Retire an agent." },
  "orchestrator.step": { access: "write", usage: "step", summary: "Run one orchestrator step now." },
  "orchestrator.mode": {
    access: "write",
    usage: "mode <manual|scheduled|continuous|paused> (or pause, resume)",
    summary: "Change the orchestrator mode.",
  },
  "schedule.list": { access: "read", usage: "schedules", summary: "Scheduled actions." },
  "schedule.create": {
    access: "write",
    usage: 'schedule "<cron>" <action> [#channel] [tz=Area/City]',
    summary: "Schedule an action.",
  },
  "schedule.delete": { access: "destructive", usage: "unschedule <schedule>", summary: "Delete a schedule." },
  digest: { access: "write", usage: "digest [#channel]", summary: "Compose and post the status digest now." },
  "budget.show": { access: "read", usage: "budget [scope]", summary: "Budgets and spend." },
  "budget.set": { access: "write", usage: "budget set <scope> key=value…", summary: "Change a budget (admins)." },
  improve: { access: "write", usage: "/improve <feedback>", summary: "Feedback on your last run." },
};

export const COMMAND_TYPES = Object.keys(COMMAND_SPECS) as CommandType[];

/** Pausing stops autonomous work, so it is destructive; other mode changes are plain writes. */
export function accessOf(command: Command): Access {
  if (command.type === "orchestrator.mode" && command.mode === "paused") return "destructive";
  return COMMAND_SPECS[command.type].access;
}

export function isCommandType(value: string): value is CommandType {
  return Object.hasOwn(COMMAND_SPECS, value);
}
