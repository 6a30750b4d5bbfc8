import type { BatonError } from "../../errors.js";
import type { JsonValue } from "../tools/types.js";
import { LoopProgress } from "./loop-progress.js";
import type { ResumePlan } from "./resume.js";
import { abortReason, STOPS } from "./run-control.js";
import type { BranchStep, LoopStep, ParallelStep } from "./step-schemas.js";
import type { TemplateScope } from "./template.js";

type StepResult = { output: JsonValue } | { error: BatonError };

/** How a composite step runs one of its tool steps (a branch, a loop body): provided by the runner. */
export interface BodyRunner {
  signal: AbortSignal;
  resume: ResumePlan | undefined;
  run(
    step: BranchStep,
    scope: TemplateScope,
    first: number,
    path: string,
  ): Promise<StepResult | { waiting: unknown } | "skipped">;
}

/** A body step's result: restored when it finished before a restart, else run now. */
function runOrRestore(body: BodyRunner, step: BranchStep, scope: TemplateScope, path: string) {
  if (body.resume?.done.has(path)) return Promise.resolve({ output: body.resume.outputs[path] ?? null } as StepResult);
  return body.run(step, scope, body.resume?.nextAttempt[path] ?? 1, path);
}

/** Whether a result stops the composite step: its own failure under onError fail, or a stop. */
function stops(step: BranchStep, result: StepResult): result is { error: BatonError } {
  return "error" in result && (step.onError === "fail" || STOPS.has(result.error.code));
}

/**
 * Runs a parallel group's branches at most `maxConcurrency` at a time. Branches that finished
 * before a restart are not run again. The group fails with the first branch failure (onError
 * fail) once every branch has settled, so finished branches stay finished.
 */
export async function runGroup(group: ParallelStep, scope: TemplateScope, body: BodyRunner): Promise<StepResult> {
  const results: Record<string, JsonValue> = {};
  let failure: BatonError | null = null;
  const queue = [...group.parallel.steps];
  const branchWorker = async () => {
    for (let branch = queue.shift(); branch !== undefined; branch = queue.shift()) {
      const result = await runOrRestore(body, branch, scope, `${group.id}.${branch.id}`);
      if (result === "skipped" || "waiting" in result) continue;
      if (stops(branch, result)) {
        failure ??= result.error;
        continue;
      }
      const output = "output" in result ? result.output : null;
      results[branch.id] = output;
      scope.steps[branch.id] = { output };
    }
  };
  const workers = Math.min(group.parallel.maxConcurrency, group.parallel.steps.length);
  await Promise.all(Array.from({ length: workers }, branchWorker));
  return failure ? { error: failure } : { output: results };
}

/**
 * Runs a loop's iterations (attempt paths `loop.<n>.<step>`), stopping when `until` holds, on a
 * plateau, or at `maxIterations`. Steps of iterations that finished before a restart are not run
 * again: their outputs replay through `until` and `score`, which are pure. Throws when `until` or
 * `score` cannot be evaluated.
 */
export async function runLoopIterations(step: LoopStep, scope: TemplateScope, body: BodyRunner): Promise<StepResult> {
  const progress = new LoopProgress(step);
  for (let n = 1; n <= step.loop.maxIterations && !progress.stopped; n += 1) {
    const inner: TemplateScope = { input: scope.input, steps: { ...scope.steps }, loop: progress.state(n) };
    for (const bodyStep of step.loop.steps) {
      if (body.signal.aborted) return { error: abortReason(body.signal) };
      const result = await runOrRestore(body, bodyStep, inner, `${step.id}.${n}.${bodyStep.id}`);
      if (result === "skipped" || "waiting" in result) continue;
      if (stops(bodyStep, result)) return { error: result.error };
      inner.steps[bodyStep.id] = { output: "output" in result ? result.output : null };
    }
    progress.finishIteration(n, inner);
  }
  const output = progress.result();
  for (const [id, value] of Object.entries(output.outputs)) scope.steps[id] = { output: value };
  return { output: output as unknown as JsonValue };
}
