import type { Clock } from "../../clock.js";
import type { ExecutionRecord, ExecutionRepository } from "../../db/repositories/execution-repository.js";
import { BatonError, toBatonError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { OrchestratorEventBus } from "../events.js";
import type { ToolRegistry } from "../tools/registry.js";
import { runTool } from "../tools/registry.js";
import type { JsonValue } from "../tools/types.js";
import type { ApprovalWait } from "./approval-step.js";
import { openApproval } from "./approval-step.js";
import type { WorkflowDefinition } from "./definition.js";
import { evaluateCondition, evaluateExpression, parseExpression } from "./expression.js";
import type { ResumePlan } from "./resume.js";
import { DEFAULT_RETRY, retryDelay, sleep } from "./retry.js";
import { renderValue, type TemplateScope } from "./template.js";

export interface RunnerDeps {
  executions: ExecutionRepository;
  tools: ToolRegistry;
  events: OrchestratorEventBus;
  clock: Clock;
  logger: Logger;
  /** This process's lease owner id. */
  owner: string;
  leaseMs?: number;
}

type WorkflowStep = WorkflowDefinition["steps"][number];
type ToolStep = Extract<WorkflowStep, { kind: "tool" }>;
type ParallelStep = Extract<WorkflowStep, { kind: "parallel" }>;
type LoopStep = Extract<WorkflowStep, { kind: "loop" }>;
type StepResult = { output: JsonValue } | { error: BatonError };
type RunOutcome = { output: Record<string, JsonValue> } | { error: BatonError } | { waiting: ApprovalWait };

interface InFlight {
  controller: AbortController;
  done: Promise<void>;
}

const INTERRUPTED = new BatonError("interrupted", "baton shut down while this step was running.");
const CANCELLED = new BatonError("cancelled", "The execution was cancelled.");
const LEASE_LOST = new BatonError("lease_lost", "Another process took this execution over after its lease expired.");
/** Failures that stop a run whatever the step's onError says. */
const STOPS: ReadonlySet<string> = new Set(["interrupted", "cancelled", "lease_lost"]);

/**
 * Runs an execution's steps — tool steps with retries and timeouts, `when` conditions, parallel
 * groups and approval steps — writing each attempt before and after it runs, so the database always
 * says what happened, and picking up from a ResumePlan after a restart. Loops and sub-workflows
 * are still to come; they should make this a recursive executor over step paths.
 */
export class WorkflowRunner {
  private readonly inFlight = new Map<string, InFlight>();
  private readonly leaseMs: number;
  private stopping = false;

  constructor(private readonly deps: RunnerDeps) {
    this.leaseMs = deps.leaseMs ?? 60_000;
  }

  leaseUntil(): Date {
    return new Date(this.deps.clock.now().getTime() + this.leaseMs);
  }

  /** Starts running in the background; `whenSettled` resolves when it stops. */
  start(execution: ExecutionRecord, definition: WorkflowDefinition, resume?: ResumePlan): void {
    const controller = new AbortController();
    // A run that arrives while baton shuts down is recorded as interrupted instead of starting.
    if (this.stopping) controller.abort(INTERRUPTED);
    const done = this.run(execution, definition, controller, resume)
      .catch((error: unknown) => this.deps.logger.error("execution crashed", { execution: execution.id, error }))
      .finally(() => this.inFlight.delete(execution.id));
    this.inFlight.set(execution.id, { controller, done });
  }

  isRunningHere(id: string): boolean {
    return this.inFlight.has(id);
  }

  /** Aborts the current step of an execution running in this process. */
  abort(id: string): void {
    this.inFlight.get(id)?.controller.abort(CANCELLED);
  }

  async whenSettled(id: string): Promise<void> {
    await this.inFlight.get(id)?.done;
  }

  /** Aborts every in-flight execution and records it as interrupted. */
  async shutdown(): Promise<string[]> {
    this.stopping = true;
    while (this.inFlight.size > 0) {
      for (const { controller } of this.inFlight.values()) controller.abort(INTERRUPTED);
      await Promise.all([...this.inFlight.values()].map((run) => run.done));
    }
    return this.deps.executions.interrupt({
      owner: this.deps.owner,
      now: this.deps.clock.now(),
      message: INTERRUPTED.message,
    });
  }

  private async run(
    execution: ExecutionRecord,
    definition: WorkflowDefinition,
    controller: AbortController,
    resume: ResumePlan | undefined,
  ): Promise<void> {
    const { signal } = controller;
    // Renewed three times a lease; a renewal that finds the lease gone stops this copy of the run.
    const renewal = setInterval(() => void this.renewLease(execution.id, controller), Math.max(100, this.leaseMs / 3));
    renewal.unref();
    try {
      this.deps.events.emit("execution.started", execution);
      // A database error mid-run still finishes the execution, as failed, instead of stranding it.
      const outcome = await this.runSteps(execution, definition, signal, resume).catch((error: unknown) => ({
        error: toBatonError(error),
      }));
      await this.finish(execution.id, outcome);
    } finally {
      clearInterval(renewal);
    }
  }

  private async runSteps(
    execution: ExecutionRecord,
    definition: WorkflowDefinition,
    signal: AbortSignal,
    resume: ResumePlan | undefined,
  ): Promise<RunOutcome> {
    const scope: TemplateScope = { input: execution.input, steps: {} };
    const outputs: Record<string, JsonValue> = {};
    for (const step of definition.steps) {
      // A resumed execution never runs a finished step again: its output comes from the database.
      if (resume?.done.has(step.id)) {
        restore(scope, outputs, step, resume);
        continue;
      }
      if (signal.aborted) return { error: abortReason(signal) };
      // A cancel from another process only changes the row; look before starting each step.
      const current = await this.deps.executions.get(execution.id);
      if (current?.leaseOwner !== this.deps.owner && current?.status === "running") return { error: LEASE_LOST };
      if (current?.status !== "running") return { error: CANCELLED };
      const first = resume?.nextAttempt[step.id] ?? 1;
      const result = await this.runUnlessSkipped(execution.id, step, scope, signal, first, step.id, resume);
      if (result === "skipped") continue;
      if ("waiting" in result) return result;
      // onError: continue lets a step's own failure through, never a stop (shutdown, cancel, lost lease).
      if ("error" in result && (step.onError === "fail" || STOPS.has(result.error.code)))
        return { error: result.error };
      const output = "output" in result ? result.output : null;
      scope.steps[step.id] = { output };
      outputs[step.id] = output;
    }
    return { output: outputs };
  }

  /**
   * A step whose `when` is false is recorded as skipped and leaves no output (a later reference to
   * it fails naming the path, unless written `steps.x.output?`). A condition that cannot be
   * evaluated fails the step like any other error.
   */
  private async runUnlessSkipped(
    executionId: string,
    step: WorkflowStep,
    scope: TemplateScope,
    signal: AbortSignal,
    first: number,
    path: string,
    resume: ResumePlan | undefined,
  ): Promise<StepResult | { waiting: ApprovalWait } | "skipped"> {
    const tool = step.kind === "tool" ? step.tool : null;
    const attempt = { executionId, stepPath: path, stepKind: step.kind, tool, attempt: first };
    let run = true;
    try {
      if (step.when !== undefined) run = evaluateCondition(step.when, { input: scope.input, steps: scope.steps });
    } catch (error) {
      return this.recordFailure(attempt, { when: step.when }, toBatonError(error));
    }
    if (run && step.kind === "approval") return openApproval(this.deps, executionId, step, scope, first);
    if (run && step.kind === "tool") return this.runStep(executionId, step, scope, signal, first, path);
    if (run && step.kind === "parallel") return this.runGroup(executionId, step, scope, signal, resume);
    if (run && step.kind === "loop") return this.runLoop(executionId, step, scope, signal, resume);
    const startedAt = this.deps.clock.now();
    const input = { when: step.when };
    const id = await this.deps.executions.startAttempt({ ...attempt, status: "skipped", input, startedAt });
    await this.finishAttempt({ ...attempt, id, input, startedAt }, { status: "skipped" });
    return "skipped";
  }

  /**
   * Runs a parallel group's branches at most `maxConcurrency` at a time. Branches that finished
   * before a restart are not run again. The group fails with the first branch failure (onError
   * fail) once every branch has settled, so finished branches stay finished.
   */
  private async runGroup(
    executionId: string,
    group: ParallelStep,
    scope: TemplateScope,
    signal: AbortSignal,
    resume: ResumePlan | undefined,
  ): Promise<StepResult> {
    const results: Record<string, JsonValue> = {};
    let failure: BatonError | null = null;
    const queue = [...group.parallel.steps];
    const branchWorker = async () => {
      for (let branch = queue.shift(); branch !== undefined; branch = queue.shift()) {
        const path = `${group.id}.${branch.id}`;
        const result = resume?.done.has(path)
          ? ({ output: resume.outputs[path] ?? null } as StepResult)
          : await this.runUnlessSkipped(
              executionId,
              branch,
              scope,
              signal,
              resume?.nextAttempt[path] ?? 1,
              path,
              resume,
            );
        if (result === "skipped" || "waiting" in result) continue;
        if ("error" in result && (branch.onError === "fail" || STOPS.has(result.error.code))) {
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
   * again: their outputs replay through `until` and `score`, which are pure. The loop's own row
   * records its result.
   */
  private async runLoop(
    executionId: string,
    step: LoopStep,
    scope: TemplateScope,
    signal: AbortSignal,
    resume: ResumePlan | undefined,
  ): Promise<StepResult> {
    const progress = new LoopProgress(step);
    try {
      for (let n = 1; n <= step.loop.maxIterations && !progress.stopped; n += 1) {
        const iteration = await this.runIteration(executionId, step, n, scope, progress, signal, resume);
        if ("error" in iteration) return iteration;
        progress.finishIteration(n, iteration.scope);
      }
    } catch (caught) {
      return this.recordFailure(
        { executionId, stepPath: step.id, stepKind: "loop", tool: null, attempt: 1 },
        null,
        toBatonError(caught),
      );
    }
    const output = progress.result();
    for (const [id, value] of Object.entries(output.outputs)) scope.steps[id] = { output: value };
    const startedAt = this.deps.clock.now();
    const attempt = { executionId, stepPath: step.id, stepKind: "loop", tool: null, attempt: 1 };
    const id = await this.deps.executions.startAttempt({ ...attempt, status: "running", input: null, startedAt });
    await this.finishAttempt({ ...attempt, id, input: null, startedAt }, { status: "succeeded", output });
    return { output };
  }

  private async runIteration(
    executionId: string,
    step: LoopStep,
    n: number,
    scope: TemplateScope,
    progress: LoopProgress,
    signal: AbortSignal,
    resume: ResumePlan | undefined,
  ): Promise<{ scope: TemplateScope } | { error: BatonError }> {
    const inner: TemplateScope = { input: scope.input, steps: { ...scope.steps }, loop: progress.state(n) };
    for (const body of step.loop.steps) {
      if (signal.aborted) return { error: abortReason(signal) };
      const path = `${step.id}.${n}.${body.id}`;
      const result = resume?.done.has(path)
        ? ({ output: resume.outputs[path] ?? null } as StepResult)
        : await this.runUnlessSkipped(executionId, body, inner, signal, resume?.nextAttempt[path] ?? 1, path, resume);
      if (result === "skipped" || "waiting" in result) continue;
      if ("error" in result && (body.onError === "fail" || STOPS.has(result.error.code)))
        return { error: result.error };
      inner.steps[body.id] = { output: "output" in result ? result.output : null };
    }
    return { scope: inner };
  }

  /** Runs a step's attempts under its retry policy; each attempt is its own row. */
  private async runStep(
    executionId: string,
    step: ToolStep,
    scope: TemplateScope,
    signal: AbortSignal,
    first: number,
    path: string,
  ): Promise<{ output: JsonValue } | { error: BatonError }> {
    const policy = step.retry ?? DEFAULT_RETRY;
    for (let attempt = first; ; attempt += 1) {
      const result = await this.runAttempt(executionId, step, scope, signal, attempt, path);
      if ("output" in result) return result;
      const delayMs = signal.aborted ? null : retryDelay(policy, attempt, result.error);
      if (delayMs === null) return result;
      const { code, message } = result.error;
      this.deps.events.emit("step.retrying", {
        executionId,
        stepPath: path,
        attempt,
        delayMs,
        errorCode: code,
        errorMessage: message,
      });
      try {
        await sleep(delayMs, signal);
      } catch {
        return { error: abortReason(signal) };
      }
    }
  }

  private async runAttempt(
    executionId: string,
    step: ToolStep,
    scope: TemplateScope,
    signal: AbortSignal,
    number: number,
    path: string,
  ): Promise<{ output: JsonValue } | { error: BatonError }> {
    const { executions, events, clock } = this.deps;
    let input: unknown = null;
    const attempt = { executionId, stepPath: path, stepKind: "tool", tool: step.tool, attempt: number };
    try {
      input = renderValue(step.with ?? {}, scope);
    } catch (error) {
      return this.recordFailure(attempt, input, toBatonError(error));
    }
    const startedAt = clock.now();
    const id = await executions.startAttempt({ ...attempt, status: "running", input, startedAt });
    events.emit("step.started", {
      ...attempt,
      id,
      status: "running",
      input,
      output: null,
      errorCode: null,
      errorMessage: null,
      startedAt,
      finishedAt: null,
    });
    try {
      const tool = this.deps.tools.get(step.tool);
      if (!tool) throw new BatonError("tool_unknown", `Step \`${step.id}\` uses the unknown tool \`${step.tool}\`.`);
      const output = await runTool(tool, input, {
        signal,
        ...(step.timeoutMs !== undefined && { timeoutMs: step.timeoutMs }),
      });
      await this.finishAttempt({ ...attempt, id, input, startedAt }, { status: "succeeded", output });
      return { output };
    } catch (caught) {
      const error = signal.aborted ? abortReason(signal) : toBatonError(caught);
      await this.finishAttempt({ ...attempt, id, input, startedAt }, { status: attemptStatus(error), error });
      return { error };
    }
  }

  /** A step that failed before it could start (a template naming a missing path) still gets its row. */
  private async recordFailure(
    attempt: { executionId: string; stepPath: string; stepKind: string; tool: string | null; attempt: number },
    input: unknown,
    error: BatonError,
  ): Promise<{ error: BatonError }> {
    const startedAt = this.deps.clock.now();
    const id = await this.deps.executions.startAttempt({ ...attempt, status: "running", input, startedAt });
    await this.finishAttempt({ ...attempt, id, input, startedAt }, { status: "failed", error });
    return { error };
  }

  private async finishAttempt(
    attempt: {
      id: number;
      executionId: string;
      stepPath: string;
      stepKind: string;
      tool: string | null;
      attempt: number;
      input: unknown;
      startedAt: Date;
    },
    result: { status: string; output?: JsonValue; error?: BatonError },
  ): Promise<void> {
    const finishedAt = this.deps.clock.now();
    const patch = {
      status: result.status,
      output: result.output ?? null,
      errorCode: result.error?.code ?? null,
      errorMessage: result.error?.message ?? null,
      finishedAt,
    };
    await this.deps.executions.finishAttempt(attempt.id, patch);
    this.deps.events.emit("step.finished", { ...attempt, ...patch });
  }

  private async finish(id: string, outcome: RunOutcome): Promise<void> {
    const { executions, clock } = this.deps;
    const now = clock.now();
    const release = { leaseOwner: null, leaseExpiresAt: null };
    // The run belongs to another process now: whatever this copy did, the owner records the outcome.
    if ("error" in outcome && outcome.error.code === "lease_lost") return;
    const owner = this.deps.owner;
    // Only a running execution this process still owns moves on: a cancel that got there first keeps its status.
    if ("waiting" in outcome) {
      const waitingFor = outcome.waiting as unknown as Record<string, unknown>;
      await executions.transition(id, ["running"], { status: "waiting", waitingFor, ...release }, now, owner);
      const waiting = await executions.get(id);
      if (waiting) this.deps.events.emit("execution.waiting", waiting);
      return;
    }
    const patch =
      "output" in outcome
        ? { status: "succeeded", output: outcome.output }
        : {
            status: executionStatus(outcome.error),
            errorCode: outcome.error.code,
            errorMessage: outcome.error.message,
          };
    await executions.transition(id, ["running"], { ...patch, finishedAt: now, ...release }, now, owner);
    const { events } = this.deps;
    const finished = await executions.get(id);
    if (finished) events.emit("execution.finished", finished);
  }

  private async renewLease(id: string, controller: AbortController): Promise<void> {
    try {
      const renewed = await this.deps.executions.renewLease(
        id,
        this.deps.owner,
        this.leaseUntil(),
        this.deps.clock.now(),
      );
      if (!renewed) {
        this.deps.logger.warn("lost the lease on an execution; another process owns it now", { execution: id });
        controller.abort(LEASE_LOST);
      }
    } catch (error) {
      this.deps.logger.warn("lease renewal failed", { execution: id, error });
    }
  }
}

/** A loop's state across iterations: the best and the last, and why it stopped. */
class LoopProgress {
  private best: Record<string, JsonValue> | null = null;
  private bestScore = Number.NEGATIVE_INFINITY;
  private bestIteration = 0;
  private previous: Record<string, JsonValue> | null = null;
  private stale = 0;
  private iterations = 0;
  stopped: "until" | "plateau" | null = null;

  constructor(private readonly step: LoopStep) {}

  state(iteration: number) {
    return { iteration, previous: this.previous, best: this.best };
  }

  finishIteration(n: number, scope: TemplateScope): void {
    this.iterations = n;
    const ids = this.step.loop.steps.map((body) => body.id);
    const outputs = Object.fromEntries(
      ids.flatMap((id) => (scope.steps[id] ? [[id, scope.steps[id].output as JsonValue]] : [])),
    );
    const { score, until, plateau } = this.step.loop;
    const evaluationScope = { input: scope.input, steps: scope.steps, loop: this.state(n) };
    if (score !== undefined)
      this.weigh(n, outputs, Number(evaluateExpression(parseExpression(score), evaluationScope)));
    this.previous = outputs;
    if (until !== undefined && evaluateCondition(until, evaluationScope)) this.stopped = "until";
    else if (plateau !== undefined && this.stale >= plateau) this.stopped = "plateau";
  }

  private weigh(n: number, outputs: Record<string, JsonValue>, value: number): void {
    if (Number.isFinite(value) && value > this.bestScore) {
      this.best = outputs;
      this.bestScore = value;
      this.bestIteration = n;
      this.stale = 0;
    } else {
      this.stale += 1;
    }
  }

  /** With a score, the best iteration's outputs; otherwise the last one's. */
  result() {
    const scored = this.step.loop.score !== undefined && this.best !== null;
    return {
      iterations: this.iterations,
      stoppedBy: this.stopped ?? "maxIterations",
      bestIteration: scored ? this.bestIteration : this.iterations,
      score: scored ? this.bestScore : null,
      outputs: (scored ? this.best : this.previous) ?? {},
    };
  }
}

/** Puts a finished step's output (and, for a parallel group, each branch's) back into the scope. */
function restore(
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

function abortReason(signal: AbortSignal): BatonError {
  return signal.reason instanceof BatonError ? signal.reason : CANCELLED;
}

function attemptStatus(error: BatonError): string {
  // A lost lease cuts the step off here; the new owner resumes it like any interrupted step.
  if (error.code === "interrupted" || error.code === "lease_lost") return "interrupted";
  if (error.code === "cancelled") return "cancelled";
  return "failed";
}

function executionStatus(error: BatonError): string {
  if (error.code === "interrupted") return "interrupted";
  if (error.code === "cancelled") return "cancelled";
  return "failed";
}
