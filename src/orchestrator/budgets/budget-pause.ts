import type { ExecutionRecord } from "../../db/repositories/execution-repository.js";
import type { BatonError } from "../../errors.js";
import type { BudgetBreach } from "./budget-exceeded.js";

/**
 * What a run paused by a budget waits for (executions.waiting_for): a person raises the cap,
 * continues on a cheaper model, or stops the run. The step that hit the budget runs again on approval.
 */
export interface BudgetWait extends BudgetBreach {
  kind: "budget";
  stepId: string;
  message: string;
}

/** The wait for a step error that is a budget breach (BudgetLimitError), else null. */
export function budgetWaitFor(stepId: string, error: BatonError): BudgetWait | null {
  const breach = (error as BatonError & { breach?: BudgetBreach }).breach;
  if (error.code !== "budget_exceeded" || !breach) return null;
  return { kind: "budget", stepId, ...breach, message: error.message };
}

export function budgetWaitOf(execution: ExecutionRecord): BudgetWait | null {
  const wait = execution.waitingFor;
  return execution.status === "waiting" && wait?.kind === "budget" ? (wait as unknown as BudgetWait) : null;
}

/** Whether a failed attempt only paused for a budget (recorded as `paused`, so a resume runs it again). */
export function isBudgetPause(error: BatonError): boolean {
  return error.code === "budget_exceeded" && "breach" in error;
}
