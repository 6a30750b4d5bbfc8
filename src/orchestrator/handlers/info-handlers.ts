import { startOfDay } from "../../clock.js";
import { COMMAND_SPECS, COMMAND_TYPES, type CommandOf } from "../../commands/commands.js";
import type { RequestContext } from "../../commands/context.js";
import type { AuditRepository } from "../../db/repositories/audit-repository.js";
import type { ExecutionRepository } from "../../db/repositories/execution-repository.js";
import type { LlmCallRepository } from "../../db/repositories/llm-call-repository.js";
import type { ProviderHealthSnapshot } from "../../llm/provider-health.js";
import type { HelpEntry, Result, StatusSnapshot } from "../results.js";
import type { WorkflowCatalog } from "../workflow/catalog.js";

/** The commands this version of baton carries out; the rest answer that they are not available yet. */
export const IMPLEMENTED = new Set<string>([
  "help",
  "status",
  "history",
  "workflow.list",
  "workflow.show",
  "workflow.run",
  "execution.list",
  "execution.show",
  "execution.cancel",
  "execution.approve",
  "execution.reject",
  "schedule.create",
  "schedule.list",
  "schedule.delete",
  "orchestrator.mode",
  "orchestrator.step",
  "digest",
  "ask",
  "agent.list",
  "agent.spawn",
  "agent.retire",
  "budget.show",
  "budget.set",
  "improve",
  "workflow.rollback",
]);

export function help(command: CommandOf<"help">, context: RequestContext): Result {
  const topic = command.topic?.toLowerCase();
  const entries: HelpEntry[] = COMMAND_TYPES.filter(
    (type) => context.canChangeState || COMMAND_SPECS[type].access === "read",
  )
    .map((type) => ({ type, ...COMMAND_SPECS[type], available: IMPLEMENTED.has(type) }))
    .filter((entry) => !topic || entry.type.includes(topic) || entry.usage.toLowerCase().includes(topic));
  return {
    type: "help",
    ...(command.topic !== undefined && { topic: command.topic }),
    entries,
    restricted: !context.canChangeState,
  };
}

export interface StatusDeps {
  executions: ExecutionRepository;
  catalog: WorkflowCatalog;
  llmCalls: LlmCallRepository;
  providerHealth: () => ProviderHealthSnapshot[];
  timeZone: string;
  now: () => Date;
  info: Omit<StatusSnapshot, "now" | "running" | "waiting" | "interrupted" | "last24h" | "workflows" | "llm">;
}

export async function status(deps: StatusDeps): Promise<Result> {
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
      ...deps.info,
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

export async function history(
  command: CommandOf<"history">,
  context: RequestContext,
  audit: AuditRepository,
): Promise<Result> {
  const user = command.user?.replace(/^@/, "");
  const entries = await audit.recent({
    limit: command.limit ?? 10,
    ...(user !== undefined && { actor: user }),
    ...(context.auditId !== undefined && { excludeId: context.auditId }),
  });
  return { type: "history", entries, ...(user !== undefined && { user }) };
}
