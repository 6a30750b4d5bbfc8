import type { CommandOf } from "../../commands/commands.js";
import type { RequestContext } from "../../commands/context.js";
import {
  BUDGET_LIMITS,
  type BudgetLimit,
  type BudgetLimits,
  type BudgetRecord,
  type BudgetRepository,
  type ScopeUsage,
} from "../../db/repositories/budget-repository.js";
import { BatonError } from "../../errors.js";
import type { Handlers } from "../handlers/handler.js";
import type { BudgetGuard } from "./budget-guard.js";
import { parseScope } from "./scopes.js";

export type BudgetResult =
  | { type: "budget.show"; day: string; budgets: BudgetRecord[]; usage: ScopeUsage[]; scope?: string }
  | { type: "budget.set"; budget: BudgetRecord };

export interface BudgetHandlerDeps {
  budgets: BudgetRepository;
  guard: BudgetGuard;
  now: () => Date;
}

/** budget.show and budget.set. */
export function budgetHandlers(deps: BudgetHandlerDeps): Handlers<"budget.show" | "budget.set"> {
  return {
    "budget.show": (command) => showBudgets(command, deps),
    "budget.set": (command, context) => setBudget(command, context, deps),
  };
}

/** Short names people type, e.g. `budget set user:ada daily=5 tokens=20000`. */
const ALIASES: Record<string, BudgetLimit> = {
  agents: "max_agents",
  runs: "max_concurrent_runs",
  concurrent: "max_concurrent_runs",
  daily: "max_daily_cost_usd",
  usd: "max_daily_cost_usd",
  cost: "max_daily_cost_usd",
  tokens: "max_tokens_per_run",
};

async function showBudgets(command: CommandOf<"budget.show">, deps: BudgetHandlerDeps): Promise<BudgetResult> {
  const scope = command.scope === undefined ? undefined : parseScope(command.scope);
  const budgets = scope ? [await deps.budgets.get(scope)].filter((b) => b !== null) : await deps.budgets.all();
  const day = deps.guard.today();
  const scopes = [...new Set(["global", ...budgets.map((b) => b.scope), ...(scope ? [scope] : [])])];
  const usage = await deps.budgets.usage(scopes, day);
  return { type: "budget.show", day, budgets, usage, ...(scope !== undefined && { scope }) };
}

async function setBudget(
  command: CommandOf<"budget.set">,
  context: RequestContext,
  deps: BudgetHandlerDeps,
): Promise<BudgetResult> {
  const scope = parseScope(command.scope);
  const limits: BudgetLimits = {};
  for (const [key, value] of Object.entries(command.limits)) {
    const name = ALIASES[key.toLowerCase()] ?? key.toLowerCase();
    if (!(BUDGET_LIMITS as readonly string[]).includes(name)) {
      throw new BatonError(
        "invalid_command",
        `"${key}" is not a budget limit; use ${BUDGET_LIMITS.join(", ")} (or agents, runs, daily, tokens).`,
      );
    }
    limits[name as BudgetLimit] = value;
  }
  if (Object.keys(limits).length === 0) {
    throw new BatonError("invalid_command", `Say which limit to set, e.g. \`budget set ${scope} daily=5\`.`);
  }
  const budget = await deps.budgets.set(scope, limits, context.actor.id, deps.now());
  return { type: "budget.set", budget };
}
