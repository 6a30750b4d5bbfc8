import { userIdsOf } from "../../commands/context.js";
import type { BudgetRepository } from "../../db/repositories/budget-repository.js";
import type { ExecutionRepository } from "../../db/repositories/execution-repository.js";
import { reportBreach } from "../agents/create-agents.js";
import { checkRunLimit } from "../budgets/count-limits.js";
import type { OrchestratorEventBus } from "../events.js";
import type { PatternOffers } from "../improve/pattern-offers.js";
import type { SchedulableCommand } from "../improve/patterns.js";
import type { StatusSnapshot } from "../results.js";
import type { Handler, Wrapper } from "./handler.js";

export interface RunLimitDeps {
  budgets: BudgetRepository;
  executions: ExecutionRepository;
  events: OrchestratorEventBus;
}

/** max_concurrent_runs, checked before a run starts; a refusal is a `budget.exceeded` event too. */
export function withRunLimit(deps: RunLimitDeps): Wrapper<"workflow.run"> {
  return (handler) => async (command, context) => {
    const check = checkRunLimit(deps.budgets, deps.executions, {
      actorId: context.actor.id,
      actorIds: userIdsOf(context.actor),
      channel: context.origin.channel,
      workflow: command.workflow,
    });
    await reportBreach(deps.events, { actorId: context.actor.id }, check);
    return handler(command, context);
  };
}

/**
 * Requests a schedule could take over are watched for a pattern once they are answered: a run
 * keyed by its execution id, a digest or step request by its audit row (`audit:<id>`).
 */
export function withPatternOffer<T extends SchedulableCommand["type"]>(offers: PatternOffers): Wrapper<T> {
  return (handler: Handler<T>): Handler<T> =>
    async (command, context) => {
      const result = await handler(command, context);
      if (result.type === "workflow.run") {
        offers.watch(command, context, result.execution.id, result.execution.id);
      } else if (context.auditId !== undefined) {
        offers.watch(command, context, `audit:${context.auditId}`, null);
      }
      return result;
    };
}

/** Status gathered from more than one place: each decoration adds its part to the snapshot. */
/**
 * Status for the asker (README "Permissions"): admins get this process's internals, which the
 * renderer shows them privately; everyone else gets no database location at all.
 */
export function withAdminDetail(owner: string): Wrapper<"status"> {
  return (handler) => async (command, context) => {
    const result = await handler(command, context);
    if (result.type !== "status") return result;
    if (!context.permission.roles.includes("admin"))
      return { ...result, status: { ...result.status, database: { ...result.status.database, location: "" } } };
    // The terminal is the owner's own, and the log beside it has all of this.
    if (context.origin.platform === "console") return result;
    const memory = process.memoryUsage();
    const mb = (bytes: number) => Math.round(bytes / 1_048_576);
    const admin = {
      pid: process.pid,
      rssMb: mb(memory.rss),
      heapMb: mb(memory.heapUsed),
      node: process.version,
      owner,
    };
    return { ...result, status: { ...result.status, admin } };
  };
}

export function withStatus(decorate: (status: StatusSnapshot) => Promise<StatusSnapshot>): Wrapper<"status"> {
  return (handler) => async (command, context) => {
    const result = await handler(command, context);
    return result.type === "status" ? { ...result, status: await decorate(result.status) } : result;
  };
}
