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

const counted = (one: string, many: string) => (n: number) => `${n} ${n === 1 ? one : many}`;

const UNITS: Record<BudgetLimit, (n: number) => string> = {
  max_daily_cost_usd: (n) => `$${n.toFixed(4)}`,
  max_tokens_per_run: (n) => counted("token", "tokens")(Math.round(n)),
  max_agents: counted("agent", "agents"),
  max_concurrent_runs: counted("run", "runs"),
};

/** A call or action that would break a budget, with which limit of which scope it hit. */
export class BudgetLimitError extends BudgetExceededError {
  constructor(readonly breach: BudgetBreach) {
    const unit = UNITS[breach.limit];
    super(
      `The ${breach.scope} budget's ${breach.limit} is ${unit(breach.limitValue)}, ${unit(breach.used)} already in use, ` +
        `and this needs ${unit(breach.requested)} more. An admin can raise it with \`/orchestrate budget set ${breach.scope} ${breach.limit}=…\`.`,
    );
    this.name = "BudgetLimitError";
  }
}
