import type { StepAttemptRecord } from "../../db/repositories/execution-repository.js";
import type { ToolRegistry } from "../tools/registry.js";
import type { JsonValue } from "../tools/types.js";
import type { ApprovalWait } from "./approval-step.js";
import type { WorkflowDefinition } from "./definition.js";
import { DEFAULT_RETRY } from "./retry.js";
import type { ToolStep, WorkflowStep } from "./step-schemas.js";
import type { TemplateScope } from "./template.js";

/** Where a resumed execution picks up, read from its step attempt rows (keyed by step path). */
export interface ResumePlan {
  /** Outputs of steps that finished, by step path, restored into the template scope; never run again. */
  outputs: Record<string, JsonValue>;
  /** Step paths that finished (succeeded, skipped, or failed for good with onError: continue). */
  done: Set<string>;
  /** The attempt number the next try of a step path gets (its last attempt + 1). */
  nextAttempt: Record<string, number>;
  /** A step that was mid-flight with a tool that is not safe to repeat: a person decides. */
  blocked: { stepId: string; tool: string } | null;
  /** A step whose failure was final (no retries left, or not retryable) under onError: fail. */
  failed: { code: string; message: string } | null;
  /** An approval that was open when the process died: the run waits for it again. */
  waiting: ApprovalWait | null;
}

type Step = WorkflowStep | ToolStep;

/** Failures a retry cannot fix; recorded by code, since the error object is gone after a crash. */
const FINAL_CODES: ReadonlySet<string> = new Set([
  "non_retriable",
  "template_missing_path",
  "template_invalid",
  "expression_invalid",
  "tool_unknown",
  "step_failed",
  "rejected",
  "budget_exceeded",
]);

function latestAttempts(attempts: readonly StepAttemptRecord[]): Map<string, StepAttemptRecord> {
  const latest = new Map<string, StepAttemptRecord>();
  for (const attempt of attempts) {
    const seen = latest.get(attempt.stepPath);
    if (!seen || attempt.attempt > seen.attempt) latest.set(attempt.stepPath, attempt);
  }
  return latest;
}

/** Whether a failed attempt was the step's last word: no attempts left, or a failure retries cannot fix. */
function finalFailure(step: Step, attempt: StepAttemptRecord): boolean {
  const retried = step.kind === "tool" || step.kind === "agent" || step.kind === "workflow";
  const maxAttempts = retried ? (step.retry ?? DEFAULT_RETRY).maxAttempts : 1;
  return attempt.attempt >= maxAttempts || FINAL_CODES.has(attempt.errorCode ?? "");
}

/** What one step's latest attempt means for the resume: done, or where the run stops. */
function classify(
  step: Step,
  path: string,
  attempt: StepAttemptRecord,
  plan: ResumePlan,
  context: { tools: ToolRegistry; retryBlocked: boolean },
): "done" | "stop" {
  plan.nextAttempt[path] = attempt.attempt + 1;
  if (attempt.status === "succeeded" || attempt.status === "skipped") {
    if (attempt.status === "succeeded") plan.outputs[path] = attempt.output as JsonValue;
    plan.done.add(path);
    return "done";
  }
  if (attempt.status === "failed" && finalFailure(step, attempt)) {
    if (step.onError === "fail") {
      plan.failed = { code: attempt.errorCode ?? "step_failed", message: attempt.errorMessage ?? "A step failed." };
      return "stop";
    }
    // A failure let through keeps what it recorded, e.g. a rejected approval's answer.
    plan.outputs[path] = (attempt.output as JsonValue) ?? null;
    plan.done.add(path);
    return "done";
  }
  if (attempt.status === "waiting" && step.kind === "approval") {
    const request = attempt.input as Omit<ApprovalWait, "kind" | "stepId" | "attemptId">;
    plan.waiting = { kind: "approval", stepId: step.id, attemptId: attempt.id, ...request };
    return "stop";
  }
  const midFlight = attempt.status === "running" || attempt.status === "interrupted";
  if (midFlight && step.kind === "tool" && !context.retryBlocked && !context.tools.get(step.tool)?.idempotent) {
    plan.blocked = { stepId: path, tool: step.tool };
  }
  return "stop";
}

/**
 * A parallel group resumes branch by branch: branches that finished stay finished, the others run
 * again (a cut-off branch under the same rules as any step). The group is done when every branch is.
 */
function classifyGroup(
  step: Extract<WorkflowStep, { kind: "parallel" }>,
  latest: Map<string, StepAttemptRecord>,
  plan: ResumePlan,
  context: { tools: ToolRegistry; retryBlocked: boolean },
): "done" | "stop" {
  const skipped = latest.get(step.id);
  if (skipped) return classify(step, step.id, skipped, plan, context);
  let allDone = true;
  for (const branch of step.parallel.steps) {
    const path = `${step.id}.${branch.id}`;
    const attempt = latest.get(path);
    if (!attempt || classify(branch, path, attempt, plan, context) !== "done") allDone = false;
    if (plan.blocked || plan.failed) return "stop";
  }
  if (!allDone) return "stop";
  const outputs = Object.fromEntries(
    step.parallel.steps.map((b) => [b.id, plan.outputs[`${step.id}.${b.id}`] ?? null]),
  );
  plan.outputs[step.id] = outputs;
  plan.done.add(step.id);
  return "done";
}

type Context = { tools: ToolRegistry; retryBlocked: boolean };

/**
 * A loop or a map is done when its own row says so. Otherwise the inner steps that finished
 * (`loop.<iteration>.<step>`, `map.<index>.<step>`) are marked done by path, and the step runs
 * again, replaying them without running them.
 */
function classifyRepeated(
  step: Extract<WorkflowStep, { kind: "loop" | "map" }>,
  latest: Map<string, StepAttemptRecord>,
  plan: ResumePlan,
  context: Context,
): "done" | "stop" {
  const own = latest.get(step.id);
  if (own) return classify(step, step.id, own, plan, context);
  const inner = new Map(
    (step.kind === "loop" ? step.loop.steps : [step.map.step]).map((body) => [body.id, body] as const),
  );
  for (const [path, attempt] of latest) {
    const [outerId, position = "", innerId = ""] = path.split(".");
    const body = inner.get(innerId);
    if (outerId !== step.id || !/^\d+$/.test(position) || !body) continue;
    classify(body, path, attempt, plan, context);
    if (plan.blocked || plan.failed) break;
  }
  return "stop";
}

/**
 * Completed steps are never re-run (their outputs come back from the database); the first
 * unfinished step runs next. A step that was running when its process died re-runs only when its
 * tool is idempotent, or when a person said so (`retryBlocked`); otherwise the plan is blocked. A
 * failure that was final fails the run (or, with onError: continue, counts as done); one that
 * retries could still fix is retried.
 */
export function planResume(
  definition: WorkflowDefinition,
  attempts: readonly StepAttemptRecord[],
  tools: ToolRegistry,
  options: { retryBlocked: boolean },
): ResumePlan {
  const plan: ResumePlan = {
    outputs: {},
    done: new Set(),
    nextAttempt: {},
    blocked: null,
    failed: null,
    waiting: null,
  };
  const latest = latestAttempts(attempts);
  const context = { tools, retryBlocked: options.retryBlocked };
  for (const step of definition.steps) {
    if (step.kind === "parallel" || step.kind === "loop" || step.kind === "map") {
      const group =
        step.kind === "parallel"
          ? classifyGroup(step, latest, plan, context)
          : classifyRepeated(step, latest, plan, context);
      if (group === "done") continue;
      break;
    }
    const attempt = latest.get(step.id);
    if (!attempt || classify(step, step.id, attempt, plan, context) === "stop") break;
  }
  return plan;
}

/** Puts a finished step's output (and, for a parallel group, each branch's) back into the scope. */
export function restoreScope(
  scope: TemplateScope,
  outputs: Record<string, JsonValue>,
  step: WorkflowStep,
  resume: ResumePlan,
): void {
  const restored = resume.outputs[step.id];
  if (restored === undefined) return;
  scope.steps[step.id] = { output: restored };
  outputs[step.id] = restored;
  if (step.kind === "loop") {
    const chosen = (restored as { outputs?: Record<string, JsonValue> } | null)?.outputs ?? {};
    for (const [id, output] of Object.entries(chosen)) scope.steps[id] = { output };
    return;
  }
  if (step.kind !== "parallel") return;
  for (const branch of step.parallel.steps) {
    const output = resume.outputs[`${step.id}.${branch.id}`];
    if (output !== undefined) scope.steps[branch.id] = { output };
  }
}
