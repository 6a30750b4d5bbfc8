import pLimit from "p-limit";
import type { BatonError } from "../../errors.js";
import type { JsonValue } from "../tools/types.js";
import { NonRetriableError } from "./control-errors.js";
import { evaluateExpression, parseExpression } from "./expression.js";
import { LoopProgress } from "./loop-progress.js";
import type { ResumePlan } from "./resume.js";
import { abortReason, STOPS } from "./run-control.js";
import type { BranchStep, LoopStep, MapStep, ParallelStep } from "./step-schemas.js";
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
  await pLimit(group.parallel.maxConcurrency).map(group.parallel.steps, async (branch) => {
    const result = await runOrRestore(body, branch, scope, `${group.id}.${branch.id}`);
    if (result === "skipped" || "waiting" in result) return;
    if (stops(branch, result)) {
      failure ??= result.error;
      return;
    }
    const output = "output" in result ? result.output : null;
    results[branch.id] = output;
    scope.steps[branch.id] = { output };
  });
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

/**
 * Runs a map step's step once per item, at most `maxConcurrency` at a time, under the paths
 * `map.<index>.<step>`. Items that finished before a restart are not run again (the list is computed
 * again from the same inputs and outputs). Like a parallel group, it fails with the first item's
 * failure once every item has settled. Throws when `over` cannot be evaluated or is not a list.
 */
export async function runMapItems(step: MapStep, scope: TemplateScope, body: BodyRunner): Promise<StepResult> {
  const items = mapItems(step, scope);
  const results: JsonValue[] = items.map(() => null);
  let failure: BatonError | null = null;
  await pLimit(step.map.maxConcurrency).map(items, async (item, index) => {
    if (body.signal.aborted) return;
    const inner: TemplateScope = { ...scope, steps: { ...scope.steps }, item, index };
    const result = await runOrRestore(body, step.map.step, inner, `${step.id}.${index}.${step.map.step.id}`);
    if (result === "skipped" || "waiting" in result) return;
    if (stops(step.map.step, result)) {
      failure ??= result.error;
      return;
    }
    results[index] = "output" in result ? result.output : null;
  });
  if (body.signal.aborted) return { error: abortReason(body.signal) };
  return failure ? { error: failure } : { output: results };
}

/** The list a map step runs over: a list as is, or text split on commas and new lines. */
export function mapItems(step: MapStep, scope: TemplateScope): JsonValue[] {
  const value = evaluateExpression(parseExpression(step.map.over), scope as unknown as Record<string, unknown>);
  const items: JsonValue[] | null = Array.isArray(value)
    ? (value as JsonValue[])
    : typeof value === "string"
      ? value
          .split(/[\n,]+/)
          .map((part) => part.trim())
          .filter((part) => part.length > 0)
      : null;
  if (items === null) {
    throw new NonRetriableError(
      `Map step \`${step.id}\`: \`${step.map.over}\` is not a list or text (got ${typeof value}).`,
    );
  }
  if (items.length > step.map.maxItems) {
    throw new NonRetriableError(
      `Map step \`${step.id}\` got ${items.length} items; it takes at most ${step.map.maxItems} (set \`map.maxItems\`).`,
    );
  }
  return items;
}
