import type { StepAttemptRecord } from "../../db/repositories/execution-repository.js";
import type { ToolRegistry } from "../tools/registry.js";
import type { JsonValue } from "../tools/types.js";
import type { WorkflowDefinition } from "./definition.js";

/** Where a resumed execution picks up, read from its step attempt rows. */
export interface ResumePlan {
  /** Outputs of steps that finished, restored into the template scope; never run again. */
  outputs: Record<string, JsonValue>;
  /** Steps that finished (succeeded, skipped, or failed with onError: continue). */
  done: Set<string>;
  /** The attempt number the next try of a step gets (its last attempt + 1). */
  nextAttempt: Record<string, number>;
  /** A step that was mid-flight with a tool that is not safe to repeat: a person decides. */
  blocked: { stepId: string; tool: string } | null;
}

function latestAttempts(attempts: readonly StepAttemptRecord[]): Map<string, StepAttemptRecord> {
  const latest = new Map<string, StepAttemptRecord>();
  for (const attempt of attempts) {
    const seen = latest.get(attempt.stepPath);
    if (!seen || attempt.attempt > seen.attempt) latest.set(attempt.stepPath, attempt);
  }
  return latest;
}

/**
 * Completed steps are never re-run (their outputs come back from the database); the first
 * unfinished step runs next. A step that was running when its process died re-runs only when its
 * tool is idempotent, or when a person said so (`retryBlocked`); otherwise the plan is blocked.
 */
export function planResume(
  definition: WorkflowDefinition,
  attempts: readonly StepAttemptRecord[],
  tools: ToolRegistry,
  options: { retryBlocked: boolean },
): ResumePlan {
  const plan: ResumePlan = { outputs: {}, done: new Set(), nextAttempt: {}, blocked: null };
  const latest = latestAttempts(attempts);
  for (const step of definition.steps) {
    const attempt = latest.get(step.id);
    if (!attempt) break;
    plan.nextAttempt[step.id] = attempt.attempt + 1;
    if (attempt.status === "succeeded") plan.outputs[step.id] = attempt.output as JsonValue;
    // A failure let through (onError: continue) keeps what it recorded, e.g. a rejected approval's answer.
    if (attempt.status === "failed" && step.onError === "continue")
      plan.outputs[step.id] = (attempt.output as JsonValue) ?? null;
    if (
      attempt.status === "succeeded" ||
      attempt.status === "skipped" ||
      (step.onError === "continue" && attempt.status === "failed")
    ) {
      plan.done.add(step.id);
      continue;
    }
    const midFlight = attempt.status === "running" || attempt.status === "interrupted";
    const unsafe = step.kind === "tool" && !tools.get(step.tool)?.idempotent;
    if (midFlight && unsafe && !options.retryBlocked && step.kind === "tool") {
      plan.blocked = { stepId: step.id, tool: step.tool };
    }
    break;
  }
  return plan;
}
