import { type Clock, zonedParts } from "../../clock.js";
import type { BudgetRecord, BudgetRepository } from "../../db/repositories/budget-repository.js";
import type { CallEstimate, SpendGuard, SpendReservation } from "../../llm/budgeted-chat.js";
import type { ChatCall } from "../../llm/chat-model.js";
import type { Logger } from "../../logger.js";
import type { OrchestratorEventBus } from "../events.js";
import { type BudgetBreach, BudgetLimitError } from "./budget-exceeded.js";
import { scopesFor } from "./scopes.js";

export interface BudgetGuardDeps {
  budgets: BudgetRepository;
  events: OrchestratorEventBus;
  clock: Clock;
  logger: Logger;
  timeZone: string;
}

/**
 * Budgets before every agent LLM call: the estimated cost is reserved in every scope the call
 * counts against (global, project, user, channel) by one conditional UPDATE each, so concurrent
 * calls never go past a daily limit by more than one call's estimate; the actual cost settles after.
 */
export class BudgetGuard implements SpendGuard {
  constructor(private readonly deps: BudgetGuardDeps) {}

  /** The calendar day budgets count in (BATON's TZ), e.g. 2026-11-21. */
  today(): string {
    const part = zonedParts(this.deps.clock.now(), this.deps.timeZone);
    return `${part("year")}-${part("month")}-${part("day")}`;
  }

  async reserve(call: ChatCall, estimate: CallEstimate): Promise<SpendReservation> {
    const scopes = scopesFor(call);
    const budgets = await this.deps.budgets.forScopes(scopes);
    await this.checkRunTokens(call, estimate, budgets);
    const day = this.today();
    const limitOf = (scope: string) => budgets.find((b) => b.scope === scope)?.limits.max_daily_cost_usd ?? null;
    const charges = scopes.map((scope) => ({ scope, limitUsd: limitOf(scope) }));
    const refused = await this.deps.budgets.reserve(charges, day, estimate.usd);
    if (refused !== null) {
      const [usage] = await this.deps.budgets.usage([refused], day);
      this.breach(call, {
        scope: refused,
        limit: "max_daily_cost_usd",
        limitValue: limitOf(refused) ?? 0,
        used: (usage?.spentUsd ?? 0) + (usage?.reservedUsd ?? 0),
        requested: estimate.usd,
      });
    }
    let settled = false;
    return {
      settle: async (actualUsd) => {
        if (settled) return;
        settled = true;
        try {
          await this.deps.budgets.settle(scopes, day, estimate.usd, actualUsd);
        } catch (error) {
          this.deps.logger.error("could not settle an LLM call's cost against its budgets", { scopes, error });
        }
      },
    };
  }

  /** max_tokens_per_run: the run's recorded tokens plus this call's estimate. */
  private async checkRunTokens(call: ChatCall, estimate: CallEstimate, budgets: BudgetRecord[]): Promise<void> {
    const limited = budgets.filter((b) => b.limits.max_tokens_per_run !== undefined);
    if (limited.length === 0 || !call.executionId) return;
    const used = await this.deps.budgets.tokensOfExecution(call.executionId);
    const requested = estimate.inputTokens + estimate.outputTokens;
    for (const budget of limited) {
      const limitValue = budget.limits.max_tokens_per_run as number;
      if (used + requested > limitValue) {
        this.breach(call, { scope: budget.scope, limit: "max_tokens_per_run", limitValue, used, requested });
      }
    }
  }

  private breach(call: ChatCall, breach: BudgetBreach): never {
    this.deps.events.emit("budget.exceeded", {
      scope: breach.scope,
      limit: breach.limit,
      limitValue: breach.limitValue,
      used: breach.used,
      estimate: breach.requested,
      executionId: call.executionId ?? null,
      agentId: call.agentId ?? null,
      actorId: call.actorId,
    });
    throw new BudgetLimitError(breach);
  }
}
