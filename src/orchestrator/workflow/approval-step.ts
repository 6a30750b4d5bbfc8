import type { Clock } from "../../clock.js";
import type { ExecutionRepository } from "../../db/repositories/execution-repository.js";
import { type BatonError, toBatonError } from "../../errors.js";
import type { OrchestratorEventBus } from "../events.js";
import type { ApprovalStep } from "./definition.js";
import { renderTemplate, type TemplateScope } from "./template.js";

/** What an execution waiting at an approval step waits for; stored as executions.waiting_for. */
export interface ApprovalWait {
  kind: "approval";
  stepId: string;
  attemptId: number;
  prompt: string;
  approvers: string[] | null;
  allowRequester: boolean;
  onTimeout: "approve" | "reject";
  /** ISO time after which `onTimeout` decides; null waits for a person indefinitely. */
  deadline: string | null;
}

export interface ApprovalStepDeps {
  executions: ExecutionRepository;
  events: OrchestratorEventBus;
  clock: Clock;
}

/**
 * Opens an approval: renders the prompt, writes the step's attempt as `waiting`, and hands back
 * what the execution now waits for. The runner then stops; approve, reject or the timeout resumes it.
 */
export async function openApproval(
  deps: ApprovalStepDeps,
  executionId: string,
  step: ApprovalStep,
  scope: TemplateScope,
  attempt: number,
): Promise<{ waiting: ApprovalWait } | { error: BatonError }> {
  const startedAt = deps.clock.now();
  const base = { executionId, stepPath: step.id, stepKind: "approval", tool: null, attempt, startedAt };
  let prompt: string;
  try {
    prompt = renderTemplate(step.approval.prompt, scope);
  } catch (caught) {
    const error = toBatonError(caught);
    const id = await deps.executions.startAttempt({ ...base, status: "failed", input: null });
    await deps.executions.finishAttempt(id, {
      errorCode: error.code,
      errorMessage: error.message,
      finishedAt: startedAt,
    });
    return { error };
  }
  const deadline = step.timeoutMs === undefined ? null : new Date(startedAt.getTime() + step.timeoutMs).toISOString();
  const request = {
    prompt,
    approvers: step.approval.approvers ?? null,
    allowRequester: step.approval.allowRequester,
    onTimeout: step.approval.onTimeout,
    deadline,
  };
  const id = await deps.executions.startAttempt({ ...base, status: "waiting", input: request });
  const record = {
    ...base,
    id,
    status: "waiting",
    input: request,
    output: null,
    errorCode: null,
    errorMessage: null,
    finishedAt: null,
  };
  deps.events.emit("step.started", record);
  return { waiting: { kind: "approval", stepId: step.id, attemptId: id, ...request } };
}
