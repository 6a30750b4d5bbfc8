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
export function withStatus(decorate: (status: StatusSnapshot) => Promise<StatusSnapshot>): Wrapper<"status"> {
  return (handler) => async (command, context) => {
    const result = await handler(command, context);
    return result.type === "status" ? { ...result, status: await decorate(result.status) } : result;
  };
}
