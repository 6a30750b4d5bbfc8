import { startOfDay } from "../../clock.js";
import { COMMAND_SPECS, COMMAND_TYPES, type CommandOf } from "../../commands/commands.js";
import { accountsOf, type RequestContext } from "../../commands/context.js";
import type { AuditRepository } from "../../db/repositories/audit-repository.js";
import type { ExecutionRepository } from "../../db/repositories/execution-repository.js";
import type { LlmCallRepository } from "../../db/repositories/llm-call-repository.js";
import type { ProviderHealthSnapshot } from "../../llm/provider-health.js";
import type { HelpEntry, Result, StatusSnapshot } from "../results.js";
import type { WorkflowCatalog } from "../workflow/catalog.js";
import type { Handlers } from "./handler.js";

async function help(command: CommandOf<"help">, context: RequestContext): Promise<Result> {
  const topic = command.topic?.toLowerCase();
  // Only what this person may run here (README "Permissions"): help never advertises a refusal.
  const entries: HelpEntry[] = COMMAND_TYPES.filter((type) => context.permission.permitted.has(type))
    .map((type) => {
      const { access, usage, summary } = COMMAND_SPECS[type];
      return { type, access, usage, summary };
    })
    .filter((entry) => !topic || entry.type.includes(topic) || entry.usage.toLowerCase().includes(topic));
  return {
    type: "help",
    ...(command.topic !== undefined && { topic: command.topic }),
    entries,
    restricted: context.permission.permitted.size < COMMAND_TYPES.length,
    roles: [...context.permission.roles],
  };
}

export interface InfoDeps extends StatusDeps {
  audit: AuditRepository;
  /** The decision journal: recent orchestrator steps with their decisions. */
  journal: (limit: number) => Promise<Result>;
}

/** help, status and history. Status is decorated by wrappers (agents, control) in the table. */
export function infoHandlers(deps: InfoDeps): Handlers<"help" | "status" | "history"> {
  return {
    help,
    status: () => status(deps),
    history: (command, context) => history(command, context, deps),
  };
}

export interface StatusDeps {
  executions: ExecutionRepository;
  catalog: WorkflowCatalog;
  llmCalls: LlmCallRepository;
  providerHealth: () => ProviderHealthSnapshot[];
  timeZone: string;
  now: () => Date;
  /** Read at each status: front-ends report their health as they come and go. */
  info: () => Omit<StatusSnapshot, "now" | "running" | "waiting" | "interrupted" | "last24h" | "workflows" | "llm">;
}

async function status(deps: StatusDeps): Promise<Result> {
  const now = deps.now();
  const [running, waiting, interrupted, last24h, workflows, spendToday] = await Promise.all([
    deps.executions.list({ status: "running", limit: 20 }),
    deps.executions.list({ status: "waiting", limit: 20 }),
    deps.executions.list({ status: "interrupted", limit: 5 }),
    deps.executions.countByStatus(new Date(now.getTime() - 24 * 3600_000), now),
    deps.catalog.list(),
    deps.llmCalls.spendSince(startOfDay(now, deps.timeZone)),
  ]);
  return {
    type: "status",
    status: {
      ...deps.info(),
      now,
      running,
      waiting,
      interrupted,
      last24h,
      workflows: { count: workflows.length, problems: deps.catalog.loadProblems() },
      llm: { providers: deps.providerHealth(), spendToday },
    },
  };
}

async function history(command: CommandOf<"history">, context: RequestContext, deps: InfoDeps): Promise<Result> {
  // `history orchestrator` (user=orchestrator): the orchestrator's decision journal.
  if (command.user?.replace(/^@/, "").toLowerCase() === "orchestrator") return deps.journal(command.limit ?? 5);
  const user = command.user?.replace(/^@/, "");
  // `history @me`: what this person asked from any of their linked accounts.
  const me = user?.toLowerCase() === "me";
  const entries = await deps.audit.recent({
    limit: command.limit ?? 10,
    ...(command.command !== undefined && { commandType: command.command }),
    ...(command.outcome !== undefined && { outcome: command.outcome }),
    ...(command.since !== undefined && { since: new Date(command.since) }),
    ...(command.until !== undefined && { until: new Date(command.until) }),
    ...(command.before !== undefined && { beforeId: command.before }),
    ...(me ? { accounts: accountsOf(context.actor) } : user !== undefined && { actor: user }),
    ...(context.auditId !== undefined && { excludeId: context.auditId }),
  });
  return { type: "history", entries, ...(user !== undefined && { user }) };
}
