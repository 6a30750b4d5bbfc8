import type { z } from "zod";
import type { CommandOf, CommandType } from "./command-schemas.js";
import * as schemas from "./command-schemas.js";

export {
  Command,
  type CommandOf,
  type CommandType,
  EXECUTION_STATUSES,
  ExecutionStatus,
  ORCHESTRATOR_MODES,
} from "./command-schemas.js";

/** What a command does to the world: reads it, changes it, or destroys something (and asks first). Spending LLM budget is a class of its own (`SPENDS_LLM`). */
export type Access = "read" | "change" | "destructive";

interface SpecBase<T extends CommandType> {
  schema: z.ZodType<CommandOf<T>, unknown>;
  usage: string;
  summary: string;
  /** The `/orchestrate` verbs (and aliases) that may parse to this type; the grammar has a parser for each. */
  verbs: readonly string[];
  /** Acts on the asker's own accounts only (linking them): open to everyone, whatever their roles. */
  self?: true;
}

/** One sentence saying what a command will do, asked before it runs. */
type Question<T extends CommandType> = (command: CommandOf<T>) => string;

/** A destructive command cannot be described without the question that confirms it. */
export type CommandSpec<T extends CommandType = CommandType> = SpecBase<T> &
  ({ access: "read" | "change"; confirm?: Question<T> } | { access: "destructive"; confirm: Question<T> });

/**
 * The command table (DESIGN.md "The command vocabulary"): for every command type its schema,
 * access class, usage, help text and `/orchestrate` verbs. The grammar, the routers, the policy,
 * the help and the tests all read it; it is typed over every command type, so a command that is
 * not fully described does not compile. Names are fixed: add, never rename.
 */
export const COMMAND_SPECS = {
  help: {
    schema: schemas.helpCommand,
    access: "read",
    usage: "help [topic]",
    summary: "Show what you can do here.",
    verbs: ["help", "?"],
  },
  status: {
    schema: schemas.statusCommand,
    access: "read",
    usage: "status",
    summary: "Running and waiting executions, mode, health.",
    verbs: ["status"],
  },
  history: {
    schema: schemas.historyCommand,
    access: "read",
    usage: "history [n] [user=@name]",
    summary: "Recent commands from the audit log.",
    verbs: ["history", "log", "audit"],
  },
  "workflow.list": {
    schema: schemas.workflowListCommand,
    access: "read",
    usage: "workflows",
    summary: "Known workflows and their current version.",
    verbs: ["workflows", "wf", "workflow"],
  },
  "workflow.show": {
    schema: schemas.workflowShowCommand,
    access: "read",
    usage: "show <workflow>",
    summary: "A workflow's steps, inputs and versions.",
    verbs: ["show", "workflow"],
  },
  "workflow.run": {
    schema: schemas.workflowRunCommand,
    access: "change",
    usage: "run <workflow> [key=value…]",
    summary: "Start a workflow.",
    verbs: ["run", "start", "exec", "execute"],
  },
  "workflow.rollback": {
    schema: schemas.workflowRollbackCommand,
    access: "destructive",
    usage: "rollback <workflow> <version>",
    summary: "Make an older workflow version current.",
    confirm: (command) => `Make version ${command.version} the current version of ${command.workflow}?`,
    verbs: ["rollback"],
  },
  "execution.list": {
    schema: schemas.executionListCommand,
    access: "read",
    usage: "runs [status] [n]",
    summary: "Recent executions.",
    verbs: ["runs", "executions"],
  },
  "execution.show": {
    schema: schemas.executionShowCommand,
    access: "read",
    usage: "show <execution>",
    summary: "An execution's steps, timings and outputs.",
    verbs: ["show"],
  },
  "execution.approve": {
    schema: schemas.executionApproveCommand,
    access: "change",
    usage: "approve <execution> [note]",
    summary: "Approve a waiting step.",
    verbs: ["approve", "ok", "lgtm"],
  },
  "execution.reject": {
    schema: schemas.executionRejectCommand,
    access: "change",
    usage: "reject <execution> [reason]",
    summary: "Reject a waiting step.",
    verbs: ["reject", "deny"],
  },
  "execution.cancel": {
    schema: schemas.executionCancelCommand,
    access: "destructive",
    usage: "cancel <execution>",
    summary: "Cancel an execution.",
    confirm: (command) => `Cancel execution ${command.execution}? Steps already done stay done; the rest will not run.`,
    verbs: ["cancel", "stop", "abort"],
  },
  ask: {
    schema: schemas.askCommand,
    access: "change",
    usage: "ask <question>",
    summary: "Ask a specialist agent.",
    verbs: ["ask"],
  },
  "agent.list": {
    schema: schemas.agentListCommand,
    access: "read",
    usage: "agents",
    summary: "Active specialist agents.",
    verbs: ["agents"],
  },
  "agent.spawn": {
    schema: schemas.agentSpawnCommand,
    access: "change",
    usage: "spawn <specialty> [context]",
    summary: "Start a specialist agent.",
    verbs: ["spawn"],
  },
  "agent.retire": {
    schema: schemas.agentRetireCommand,
    access: "change",
    usage: "retire <agent>",
    summary: "Retire an agent.",
    verbs: ["retire"],
  },
  "orchestrator.step": {
    schema: schemas.orchestratorStepCommand,
    access: "change",
    usage: "step",
    summary: "Run one orchestrator step now.",
    verbs: ["step"],
  },
  "orchestrator.mode": {
    schema: schemas.orchestratorModeCommand,
    access: "change",
    usage: "mode <manual|scheduled|continuous|paused> (or pause, resume)",
    summary: "Change the orchestrator mode.",
    confirm: (command) => `Switch the orchestrator to ${command.mode} mode? Autonomous work stops until it is resumed.`,
    verbs: ["mode", "pause", "resume"],
  },
  "schedule.list": {
    schema: schemas.scheduleListCommand,
    access: "read",
    usage: "schedules",
    summary: "Scheduled actions.",
    verbs: ["schedules"],
  },
  "schedule.create": {
    schema: schemas.scheduleCreateCommand,
    access: "change",
    usage: 'schedule "<cron>" <action> [#channel] [tz=Area/City]',
    summary: "Schedule an action.",
    verbs: ["schedule"],
  },
  "schedule.delete": {
    schema: schemas.scheduleDeleteCommand,
    access: "destructive",
    usage: "unschedule <schedule>",
    summary: "Delete a schedule.",
    confirm: (command) => `Delete schedule ${command.schedule}? It will not fire again.`,
    verbs: ["unschedule"],
  },
  digest: {
    schema: schemas.digestCommand,
    access: "change",
    usage: "digest [#channel]",
    summary: "Compose and post the status digest now.",
    verbs: ["digest"],
  },
  "budget.show": {
    schema: schemas.budgetShowCommand,
    access: "read",
    usage: "budget [scope]",
    summary: "Budgets and spend.",
    verbs: ["budget"],
  },
  "budget.set": {
    schema: schemas.budgetSetCommand,
    access: "change",
    usage: "budget set <scope> key=value…",
    summary: "Change a budget (admins).",
    verbs: ["budget"],
  },
  improve: {
    schema: schemas.improveCommand,
    access: "change",
    usage: "/improve <feedback>",
    summary: "Feedback on your last run.",
    // `/improve <text>` is its own prefix, not an `/orchestrate` verb.
    verbs: [],
  },
  "access.grant": {
    schema: schemas.accessGrantCommand,
    access: "change",
    usage: "grant <@person|@group> <role> [#channel | workflow=<name>]",
    summary: "Give a person or group a role, everywhere, in a channel or for a workflow (admins).",
    verbs: ["grant"],
  },
  "access.revoke": {
    schema: schemas.accessRevokeCommand,
    access: "destructive",
    usage: "revoke <@person|@group> <role> [#channel | workflow=<name>]",
    summary: "Take a role back (admins).",
    confirm: (command) =>
      `Revoke ${command.role} from ${command.subject}${command.channel ? ` in ${command.channel}` : ""}${command.workflow ? ` for ${command.workflow}` : ""}? They keep their other grants.`,
    verbs: ["revoke"],
  },
  "access.show": {
    schema: schemas.accessShowCommand,
    access: "read",
    usage: "access [@person | #channel]",
    summary: "Who can do what, where.",
    verbs: ["access", "grants", "roles"],
  },
  "access.whoami": {
    schema: schemas.accessWhoamiCommand,
    access: "read",
    usage: "whoami",
    summary: "Your identities, your roles and what you may run here.",
    verbs: ["whoami"],
  },
  "identity.link": {
    schema: schemas.identityLinkCommand,
    access: "change",
    usage: "link [code]",
    summary:
      "Make your accounts on Slack, Discord and the console one person: `link` gives a code to type on the other.",
    verbs: ["link"],
    self: true,
  },
  "identity.unlink": {
    schema: schemas.identityUnlinkCommand,
    access: "change",
    usage: "unlink",
    summary: "Make this account a person of its own again.",
    confirm: () => "Unlink this account from your other accounts? Their grants stop applying to it.",
    verbs: ["unlink"],
    self: true,
  },
  "proposal.list": {
    schema: schemas.proposalListCommand,
    access: "read",
    usage: "proposals [proposed|applied|discarded] [workflow=<name>]",
    summary: "Proposals /improve made: their workflow, status and diff size.",
    verbs: ["proposals", "improvements"],
  },
  "token.create": {
    schema: schemas.tokenCreateCommand,
    access: "change",
    usage: "token create [name]",
    summary: "A personal API token for the REST API and MCP, acting as you with your roles (shown once, privately).",
    verbs: ["token"],
    self: true,
  },
  "token.list": {
    schema: schemas.tokenListCommand,
    access: "read",
    usage: "tokens",
    summary: "Your API tokens: name, when made, when last used.",
    verbs: ["tokens", "token"],
    self: true,
  },
  "token.revoke": {
    schema: schemas.tokenRevokeCommand,
    access: "destructive",
    usage: "token revoke <number>",
    summary: "Revoke one of your API tokens.",
    confirm: (command) => `Revoke API token #${command.token}? Programs using it stop working at once.`,
    verbs: ["token"],
    self: true,
  },
} as const satisfies { readonly [T in CommandType]: CommandSpec<T> };

export const COMMAND_TYPES = Object.keys(COMMAND_SPECS) as CommandType[];

/** Every verb and alias `/orchestrate` understands, from the table. */
export type GrammarVerb = (typeof COMMAND_SPECS)[CommandType]["verbs"][number];

/** The command types open to everyone (`self`): linking one's own accounts. */
export const SELF_TYPES: ReadonlySet<CommandType> = new Set(
  COMMAND_TYPES.filter((type) => (COMMAND_SPECS[type] as SpecBase<CommandType>).self === true),
);

/** Pausing stops autonomous work, so it is destructive; other mode changes are plain writes. */
export function accessOf(command: schemas.Command): Access {
  if (command.type === "orchestrator.mode" && command.mode === "paused") return "destructive";
  return COMMAND_SPECS[command.type].access;
}

const SPECS: { readonly [T in CommandType]: CommandSpec<T> } = COMMAND_SPECS;

function specOf<T extends CommandType>(type: T): CommandSpec<T> {
  return SPECS[type];
}

/**
 * What a command that waits for a button will do, in one sentence: the table's question, or (a
 * router asked to confirm a command that needs none) the command as it was understood.
 */
export function confirmationQuestion(command: schemas.Command, written?: string): string {
  const question = specOf(command.type).confirm?.(command);
  if (question !== undefined) return question;
  return `${describeCommand(command, written)}, as I understood your message?`;
}

/**
 * A command in words: "Run hello with name=Ada", or the command as it would be typed (`written`,
 * the grammar's form, which the bot passes) — never raw JSON.
 */
export function describeCommand(command: schemas.Command, written?: string): string {
  if (command.type === "workflow.run") {
    const inputs = Object.entries(command.input).map(
      ([key, value]) => `${key}=${/\s/.test(value) ? JSON.stringify(value) : value}`,
    );
    return `Run ${command.workflow}${inputs.length > 0 ? ` with ${inputs.join(" ")}` : ""}`;
  }
  const summary = specOf(command.type).summary.replace(/\.$/, "");
  return written === undefined ? summary : `${summary}: \`${written}\``;
}

export function isCommandType(value: string): value is CommandType {
  return Object.hasOwn(COMMAND_SPECS, value);
}
