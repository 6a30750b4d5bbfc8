import type { Clock } from "../../clock.js";
import type { Actor } from "../../commands/context.js";
import type { ModelPrice } from "../../config-llm.js";
import type { BudgetRepository } from "../../db/repositories/budget-repository.js";
import type { ExecutionRecord } from "../../db/repositories/execution-repository.js";
import { BatonError } from "../../errors.js";
import { costOf } from "../../llm/usage.js";
import type { AgentService } from "../agents/agent-service.js";
import type { BudgetWait } from "./budget-pause.js";

export interface BudgetDecisionDeps {
  budgets: BudgetRepository;
  service: AgentService;
  price: (model: string) => ModelPrice | undefined;
  clock: Clock;
}

/**
 * Approving a run paused by a budget: `cheaper` sends its remaining agent calls to the cheapest
 * provider, a decision stored with the run (execution_routes) so it survives a restart; anything else raises the breached limit (to twice what it was, or at least enough for
 * the refused call). Rejecting stops the run like any rejection. The dispatcher audits the command.
 */
export async function applyBudgetChoice(
  execution: ExecutionRecord,
  wait: BudgetWait,
  note: string | undefined,
  actor: Actor,
  deps: BudgetDecisionDeps,
): Promise<string> {
  if (note?.trim().toLowerCase().startsWith("cheaper")) {
    const sample = { inputTokens: 1000, outputTokens: 1000, cachedInputTokens: 0, cacheWriteTokens: 0 };
    // Stored with the run: a process that resumes it after a restart keeps to the cheaper model.
    const price = (model: string) => costOf(sample, deps.price(model)) ?? 0;
    const chosen = await deps.service.useCheaperModel(execution.id, price, actor.id);
    if (!chosen) {
      throw new BatonError(
        "invalid_command",
        `No cheaper model is configured for \`${execution.id}\`; approve with \`raise\` to raise the cap, or reject to stop.`,
      );
    }
    return `continuing on ${chosen}`;
  }
  const raised = Math.max(wait.limitValue * 2, wait.used + wait.requested);
  const limit = wait.limit === "max_daily_cost_usd" ? Number(raised.toFixed(6)) : Math.ceil(raised);
  await deps.budgets.set(wait.scope, { [wait.limit]: limit }, actor.id, deps.clock.now());
  return `${wait.scope} ${wait.limit} raised to ${limit}`;
}
