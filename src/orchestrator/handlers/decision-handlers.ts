import type { Clock } from "../../clock.js";
import type { CommandOf } from "../../commands/commands.js";
import type { RequestContext } from "../../commands/context.js";
import type { ExecutionRecord, ExecutionRepository } from "../../db/repositories/execution-repository.js";
import { BatonError } from "../../errors.js";
import { type ApprovalDesk, approvalOf } from "../approvals.js";
import { applyBudgetChoice, type BudgetDecisionDeps } from "../budgets/budget-decisions.js";
import { budgetWaitOf } from "../budgets/budget-pause.js";
import { parseProposalId } from "../improve/improve-results.js";
import type { ImproveService } from "../improve/improve-service.js";
import type { ExecutionRecovery } from "../recovery.js";
import type { Result } from "../results.js";
import type { Handlers } from "./handler.js";

export interface DecisionDeps {
  executions: ExecutionRepository;
  recovery: ExecutionRecovery;
  approvals: ApprovalDesk;
  clock: Clock;
  /** Proposals are answered like approvals: approve imp_N applies, reject imp_N discards. */
  improve: Pick<ImproveService, "apply" | "discard">;
  /** A run paused by a budget: the approver's choice (raise the cap, or a cheaper model) applies first. */
  budgetChoice: BudgetDecisionDeps;
}

/** approve and reject, for executions (`ex_…`) and `/improve` proposals (`imp_N`) alike. */
export function decisionHandlers(deps: DecisionDeps): Handlers<"execution.approve" | "execution.reject"> {
  return {
    "execution.approve": (command, context) => {
      const proposal = parseProposalId(command.execution);
      if (proposal !== null) return deps.improve.apply(proposal, context.actor);
      return approveExecution(command, context, deps);
    },
    "execution.reject": (command, context) => {
      const proposal = parseProposalId(command.execution);
      if (proposal !== null) return deps.improve.discard(proposal, context.actor);
      return rejectExecution(command, context, deps);
    },
  };
}

/** A waiting execution: at an approval step, or deciding about a step that was cut off mid-flight. */
async function waiting(id: string, executions: ExecutionRepository) {
  const execution = await executions.get(id);
  if (!execution) {
    throw new BatonError(
      "not_found",
      `There is no execution \`${id}\`. Try \`/orchestrate runs\` to list recent ones.`,
    );
  }
  if (execution.status !== "waiting") {
    throw new BatonError("invalid_command", `\`${id}\` is ${execution.status}, not waiting for a decision.`);
  }
  return execution;
}

/** Answers the execution's approval step, if it waits at one; null when it waits for something else. */
async function answerApproval(
  execution: ExecutionRecord,
  approve: boolean,
  note: string | undefined,
  context: RequestContext,
  deps: DecisionDeps,
): Promise<ExecutionRecord | null> {
  const approval = approvalOf(execution);
  if (!approval) return null;
  deps.approvals.checkAllowed(execution, approval, context.actor, context.permission.roles);
  return deps.approvals.decide(execution, approval, {
    approve,
    by: context.actor,
    ...(note !== undefined && { note }),
  });
}

function decidedElsewhere(id: string): BatonError {
  return new BatonError("invalid_command", `\`${id}\` was decided by someone else just now.`);
}

/** Approve: an approval step lets the run go on; a cut-off step runs again and the run carries on. */
async function approveExecution(
  command: CommandOf<"execution.approve">,
  context: RequestContext,
  deps: DecisionDeps,
): Promise<Result> {
  const execution = await waiting(command.execution, deps.executions);
  const decided = await answerApproval(execution, true, command.note, context, deps);
  if (decided) return { type: "execution.approve", execution: decided, resumed: decided.status === "running" };
  const budgetWait = budgetWaitOf(execution);
  if (budgetWait) await applyBudgetChoice(execution, budgetWait, command.note, context.actor, deps.budgetChoice);
  const outcome = await deps.recovery.resume(execution, { retryBlocked: true, fromWaiting: true });
  if (outcome === "lost") throw decidedElsewhere(execution.id);
  return {
    type: "execution.approve",
    execution: (await deps.executions.get(execution.id)) ?? execution,
    resumed: true,
  };
}

/** Reject: fail the run where it stands (an approval with onError: continue lets it go on); the note is the reason. */
async function rejectExecution(
  command: CommandOf<"execution.reject">,
  context: RequestContext,
  deps: DecisionDeps,
): Promise<Result> {
  const execution = await waiting(command.execution, deps.executions);
  const decided = await answerApproval(execution, false, command.note, context, deps);
  if (decided) return { type: "execution.reject", execution: decided };
  const now = deps.clock.now();
  const reason = command.note ? `: ${command.note}` : ".";
  const errorMessage = `Rejected by ${context.actor.name}${reason}`;
  const patch = { status: "failed", errorCode: "rejected", errorMessage, finishedAt: now, waitingFor: null };
  if (!(await deps.executions.transition(execution.id, ["waiting"], patch, now))) throw decidedElsewhere(execution.id);
  return { type: "execution.reject", execution: (await deps.executions.get(execution.id)) ?? execution };
}
