import type { BudgetLimit } from "../../db/repositories/budget-repository.js";
import { BudgetExceededError } from "../workflow/control-errors.js";

export interface BudgetBreach {
  scope: string;
  limit: BudgetLimit;
  limitValue: number;
  /** What the scope had used (USD, tokens, agents or runs, per the limit). */
  used: number;
  /** What the refused call or action would have added. */
  requested: number;
}

const UNITS: Record<BudgetLimit, (n: number) => string> = {
  max_daily_cost_usd: (n) => `$${n.toFixed(4)}`,
  max_tokens_per_run: (n) => `${Math.round(n)} tokens`,
  max_agents: (n) => `${n} agents`,
  max_concurrent_runs: (n) => `${n} runs`,
};

/** A call or action that would break a budget, with which limit of which scope it hit. */
export class BudgetLimitError extends BudgetExceededError {
  constructor(readonly breach: BudgetBreach) {
    const unit = UNITS[breach.limit];
    super(
      `The ${breach.scope} budget's ${breach.limit} is ${unit(breach.limitValue)} and ${unit(breach.used)} is used; ` +
        `this needs ${unit(breach.requested)} more. An admin can raise it with \`/orchestrate budget set ${breach.scope} ${breach.limit}=…\`.`,
    );
    this.name = "BudgetLimitError";
  }
}
