import type { Clock } from "../../clock.js";
import type { ExecutionRepository } from "../../db/repositories/execution-repository.js";
import { BatonError } from "../../errors.js";
import type { CommandOf } from "../commands.js";
import type { RequestContext } from "../context.js";
import type { ExecutionRecovery } from "../recovery.js";
import type { Result } from "../results.js";

export interface DecisionDeps {
  executions: ExecutionRepository;
  recovery: ExecutionRecovery;
  clock: Clock;
}

/** The decisions baton waits for today: whether to repeat a step that was cut off mid-flight. */
async function waitingForDecision(id: string, executions: ExecutionRepository) {
  const execution = await executions.get(id);
  if (!execution)
    throw new BatonError(
      "not_found",
      `There is no execution \`${id}\`. Try \`/orchestrate runs\` to list recent ones.`,
    );
  if (execution.status !== "waiting" || execution.errorCode !== "decision_needed") {
    throw new BatonError("invalid_command", `\`${id}\` is ${execution.status}, not waiting for a decision.`);
  }
  return execution;
}

/** Approve: run the interrupted step again and carry on from there. */
export async function approveExecution(command: CommandOf<"execution.approve">, deps: DecisionDeps): Promise<Result> {
  const execution = await waitingForDecision(command.execution, deps.executions);
  const outcome = await deps.recovery.resume(execution, { retryBlocked: true, fromWaiting: true });
  if (outcome === "lost")
    throw new BatonError("invalid_command", `\`${execution.id}\` was decided by someone else just now.`);
  return {
    type: "execution.approve",
    execution: (await deps.executions.get(execution.id)) ?? execution,
    resumed: true,
  };
}

/** Reject: fail the run where it stands; the note is kept as the reason. */
export async function rejectExecution(
  command: CommandOf<"execution.reject">,
  context: RequestContext,
  deps: DecisionDeps,
): Promise<Result> {
  const execution = await waitingForDecision(command.execution, deps.executions);
  const now = deps.clock.now();
  const reason = command.note ? `: ${command.note}` : ".";
  const rejected = await deps.executions.transition(
    execution.id,
    ["waiting"],
    {
      status: "failed",
      errorCode: "rejected",
      errorMessage: `Rejected by ${context.actor.name}${reason}`,
      finishedAt: now,
    },
    now,
  );
  if (!rejected) throw new BatonError("invalid_command", `\`${execution.id}\` was decided by someone else just now.`);
  return { type: "execution.reject", execution: (await deps.executions.get(execution.id)) ?? execution };
}
