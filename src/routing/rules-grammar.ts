import type { Command, CommandOf, CommandType } from "../commands/commands.js";
import type { WorkflowHint } from "../commands/workflow-hint.js";
import type { RouteContext } from "./types.js";

/**
 * Commands written back as `/orchestrate` grammar (DESIGN.md "The command vocabulary"), so a
 * suggestion is something a person can copy, edit and send. `…` marks what they still have to fill.
 */

const PLACEHOLDER = "…";

type Renderers = { [T in CommandType]: (command: CommandOf<T>) => string };

const RENDERERS: Renderers = {
  help: (c) => orchestrate("help", c.topic),
  status: () => orchestrate("status"),
  history: (c) =>
    orchestrate(
      "history",
      c.limit?.toString(),
      c.user === undefined ? undefined : `@${c.user}`,
      c.command && `command=${c.command}`,
      c.outcome && `outcome=${c.outcome}`,
      c.since && `since=${c.since}`,
      c.until && `until=${c.until}`,
      c.before === undefined ? undefined : `before=${c.before}`,
    ),
  "workflow.list": () => orchestrate("workflows"),
  "workflow.show": (c) => orchestrate("show", c.workflow),
  "workflow.run": (c) => orchestrate("run", c.workflow, ...pairs(c.input)),
  "workflow.rollback": (c) => orchestrate("rollback", c.workflow, String(c.version)),
  "execution.list": (c) => orchestrate("runs", c.status, c.limit?.toString()),
  "execution.show": (c) => orchestrate("show", c.execution),
  "execution.approve": (c) => orchestrate("approve", c.execution, c.note),
  "execution.reject": (c) => orchestrate("reject", c.execution, c.note),
  "execution.cancel": (c) => orchestrate("cancel", c.execution),
  ask: (c) => orchestrate("ask", c.question, c.specialty === undefined ? undefined : `specialty=${c.specialty}`),
  "agent.list": () => orchestrate("agents"),
  "agent.spawn": (c) => orchestrate("spawn", c.specialty, c.context),
  "agent.retire": (c) => orchestrate("retire", c.agent),
  "orchestrator.step": () => orchestrate("step"),
  "orchestrator.mode": (c) => (c.mode === "paused" ? orchestrate("pause") : orchestrate("mode", c.mode)),
  "schedule.list": () => orchestrate("schedules"),
  "schedule.create": (c) =>
    orchestrate("schedule", quoted(c.cron), c.action, c.target, ...pairs(c.input ?? {}), c.tz && `tz=${c.tz}`),
  "schedule.delete": (c) => orchestrate("unschedule", c.schedule),
  digest: (c) => orchestrate("digest", c.channel),
  "budget.show": (c) => orchestrate("budget", c.scope),
  "budget.set": (c) => orchestrate("budget set", c.scope, ...pairs(c.limits)),
  improve: (c) => line("/improve", c.feedback, c.execution && `ex=${c.execution}`),
  "access.grant": (c) => orchestrate("grant", c.subject, c.role, c.channel, c.workflow && `workflow=${c.workflow}`),
  "access.revoke": (c) => orchestrate("revoke", c.subject, c.role, c.channel, c.workflow && `workflow=${c.workflow}`),
  "access.show": (c) => orchestrate("access", c.subject ?? c.channel),
  "access.whoami": () => orchestrate("whoami"),
  "identity.link": (c) => orchestrate("link", c.code),
  "identity.unlink": () => orchestrate("unlink"),
  "proposal.list": (c) => orchestrate("proposals", c.status, c.workflow && `workflow=${c.workflow}`),
  "token.create": (c) => orchestrate("token", "create", c.name),
  "token.list": () => orchestrate("tokens"),
  "token.revoke": (c) => orchestrate("token", "revoke", String(c.token)),
};

export function toGrammar(command: Command): string {
  // Each renderer takes exactly its own command type; the lookup by `type` guarantees the pairing.
  const render = RENDERERS[command.type] as (command: Command) => string;
  return render(command);
}

const EXAMPLES: Readonly<Record<CommandType, (context: RouteContext) => string>> = {
  help: () => orchestrate("help"),
  status: () => orchestrate("status"),
  history: () => orchestrate("history", "10"),
  "workflow.list": () => orchestrate("workflows"),
  "workflow.show": (context) => orchestrate("show", exampleWorkflow(context)?.name ?? PLACEHOLDER),
  "workflow.run": (context) => runExample(exampleWorkflow(context)),
  "workflow.rollback": (context) => orchestrate("rollback", exampleWorkflow(context)?.name ?? PLACEHOLDER, "…"),
  "execution.list": () => orchestrate("runs", "failed", "10"),
  "execution.show": () => orchestrate("show", "ex_…"),
  "execution.approve": () => orchestrate("approve", "ex_…"),
  "execution.reject": () => orchestrate("reject", "ex_…", "reason"),
  "execution.cancel": () => orchestrate("cancel", "ex_…"),
  ask: () => orchestrate("ask", PLACEHOLDER),
  "agent.list": () => orchestrate("agents"),
  "agent.spawn": () => orchestrate("spawn", PLACEHOLDER),
  "agent.retire": () => orchestrate("retire", PLACEHOLDER),
  "orchestrator.step": () => orchestrate("step"),
  "orchestrator.mode": () => orchestrate("pause"),
  "schedule.list": () => orchestrate("schedules"),
  "schedule.create": () => orchestrate("schedule", quoted("0 9 * * 1-5"), "digest", "#ops", "tz=Europe/Berlin"),
  "schedule.delete": () => orchestrate("unschedule", PLACEHOLDER),
  digest: () => orchestrate("digest", "#ops"),
  "budget.show": () => orchestrate("budget"),
  "budget.set": () => orchestrate("budget set", PLACEHOLDER, "usd=5"),
  improve: () => line("/improve", PLACEHOLDER),
  "access.grant": () => orchestrate("grant", "@…", "operator", "#ops"),
  "access.revoke": () => orchestrate("revoke", "@…", "operator", "#ops"),
  "access.show": () => orchestrate("access"),
  "access.whoami": () => orchestrate("whoami"),
  "identity.link": () => orchestrate("link"),
  "identity.unlink": () => orchestrate("unlink"),
  "proposal.list": () => orchestrate("proposals"),
  "token.create": () => orchestrate("token", "create"),
  "token.list": () => orchestrate("tokens"),
  "token.revoke": () => orchestrate("token", "revoke", "1"),
};

/** A typical command of this type, filled from the workflows that exist where possible. */
export function exampleFor(type: CommandType, context: RouteContext): string {
  return EXAMPLES[type](context);
}

/** `/orchestrate run hello name=…`: the inputs given so far, `…` for required ones still missing. */
export function runExample(workflow: WorkflowHint | undefined, input: Readonly<Record<string, string>> = {}): string {
  if (workflow === undefined) return orchestrate("run", PLACEHOLDER);
  const missing = workflow.inputs.filter((hint) => hint.required && !Object.hasOwn(input, hint.name));
  const all = { ...input, ...Object.fromEntries(missing.map((hint) => [hint.name, PLACEHOLDER])) };
  return orchestrate("run", workflow.name, ...pairs(all));
}

/** The workflow to show in examples: one that takes input shows how inputs are written. */
function exampleWorkflow(context: RouteContext): WorkflowHint | undefined {
  return context.workflows.find((hint) => hint.inputs.some((input) => input.required)) ?? context.workflows[0];
}

export function orchestrate(...parts: Array<string | undefined>): string {
  return line("/orchestrate", ...parts);
}

function line(...parts: Array<string | undefined>): string {
  return parts.filter((part): part is string => part !== undefined && part !== "").join(" ");
}

function pairs(values: Readonly<Record<string, string | number>>): string[] {
  return Object.entries(values).map(([key, value]) => `${key}=${quotedIfNeeded(String(value))}`);
}

function quotedIfNeeded(value: string): string {
  return value === "" || /[\s"']/.test(value) ? quoted(value) : value;
}

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, "\\$&")}"`;
}
