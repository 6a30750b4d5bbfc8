import type { Clock } from "../../clock.js";
import type { ExecutionRecord, ExecutionRepository } from "../../db/repositories/execution-repository.js";
import { BatonError, toBatonError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { type AgentRunner, agentTool } from "../agents.js";
import { type BudgetWait, budgetWaitFor, isBudgetPause } from "../budgets/budget-pause.js";
import type { OrchestratorEventBus } from "../events.js";
import type { ToolRegistry } from "../tools/registry.js";
import { runTool } from "../tools/registry.js";
import type { JsonValue } from "../tools/types.js";
import type { ApprovalWait } from "./approval-step.js";
import { openApproval } from "./approval-step.js";
import { type BodyRunner, runGroup, runLoopIterations } from "./composite-steps.js";
import type { WorkflowDefinition } from "./definition.js";
import { evaluateCondition } from "./expression.js";
import { type ResumePlan, restoreScope } from "./resume.js";
import { DEFAULT_RETRY, retryDelay, sleep } from "./retry.js";
import { abortReason, CANCELLED, INTERRUPTED, LEASE_LOST, STOPS } from "./run-control.js";
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
  /** Runs `agent` steps; null when no LLM provider is configured (agent steps then fail clearly). */
  agents?: AgentRunner | null;
}

type WorkflowStep = WorkflowDefinition["steps"][number];
type ToolStep = Extract<WorkflowStep, { kind: "tool" }>;
type LoopStep = Extract<WorkflowStep, { kind: "loop" }>;
type AgentStep = Extract<WorkflowStep, { kind: "agent" }>;
type StepResult = { output: JsonValue } | { error: BatonError };
type RunOutcome =
  | { output: Record<string, JsonValue> }
  | { error: BatonError }
  | { waiting: ApprovalWait | BudgetWait };

interface InFlight {
  controller: AbortController;
  done: Promise<void>;
}

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
        restoreScope(scope, outputs, step, resume);
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
      // A step refused by a budget pauses the run for a person instead of failing it.
      const budgetWait = "error" in result ? budgetWaitFor(step.id, result.error) : null;
      if (budgetWait) return { waiting: budgetWait };
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
    const tool = step.kind === "tool" ? step.tool : step.kind === "agent" ? `agent:${step.agent.specialty}` : null;
    const attempt = { executionId, stepPath: path, stepKind: step.kind, tool, attempt: first };
    let run = true;
    try {
      if (step.when !== undefined) run = evaluateCondition(step.when, { input: scope.input, steps: scope.steps });
    } catch (error) {
      return this.recordFailure(attempt, { when: step.when }, toBatonError(error));
    }
    if (run && step.kind === "approval") return openApproval(this.deps, executionId, step, scope, first);
    if (run && (step.kind === "tool" || step.kind === "agent"))
      return this.runStep(executionId, step, scope, signal, first, path);
    if (run && step.kind === "parallel") return runGroup(step, scope, this.body(executionId, signal, resume));
    if (run && step.kind === "loop") return this.runLoop(executionId, step, scope, signal, resume);
    const startedAt = this.deps.clock.now();
    const input = { when: step.when };
    const id = await this.deps.executions.startAttempt({ ...attempt, status: "skipped", input, startedAt });
    await this.finishAttempt({ ...attempt, id, input, startedAt }, { status: "skipped" });
    return "skipped";
  }

  /** Branches and loop bodies run through here: when, retries and timeouts as for any step. */
  private body(executionId: string, signal: AbortSignal, resume: ResumePlan | undefined): BodyRunner {
    return {
      signal,
      resume,
      run: (step, scope, first, path) => this.runUnlessSkipped(executionId, step, scope, signal, first, path, resume),
    };
  }

  /** A loop's iterations, then its own row: the result, or the failure of `until`/`score`. */
  private async runLoop(
    executionId: string,
    step: LoopStep,
    scope: TemplateScope,
    signal: AbortSignal,
    resume: ResumePlan | undefined,
  ): Promise<StepResult> {
    const attempt = { executionId, stepPath: step.id, stepKind: "loop", tool: null, attempt: 1 };
    let result: Awaited<ReturnType<typeof runLoopIterations>>;
    try {
      result = await runLoopIterations(step, scope, this.body(executionId, signal, resume));
    } catch (caught) {
      return this.recordFailure(attempt, null, toBatonError(caught));
    }
    if ("error" in result) return result;
    const startedAt = this.deps.clock.now();
    const id = await this.deps.executions.startAttempt({ ...attempt, status: "running", input: null, startedAt });
    await this.finishAttempt(
      { ...attempt, id, input: null, startedAt },
      { status: "succeeded", output: result.output },
    );
    return result;
  }

  /** Runs a step's attempts under its retry policy; each attempt is its own row. */
  private async runStep(
    executionId: string,
    step: ToolStep | AgentStep,
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
    step: ToolStep | AgentStep,
    scope: TemplateScope,
    signal: AbortSignal,
    number: number,
    path: string,
  ): Promise<{ output: JsonValue } | { error: BatonError }> {
    const { executions, events, clock } = this.deps;
    let input: unknown = null;
    const toolName = step.kind === "agent" ? `agent:${step.agent.specialty}` : step.tool;
    const attempt = { executionId, stepPath: path, stepKind: step.kind, tool: toolName, attempt: number };
    try {
      input = renderValue(step.kind === "agent" ? step.agent : step.with, scope);
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
      const tool =
        step.kind === "agent" ? agentTool(this.deps.agents ?? null, executionId) : this.deps.tools.get(step.tool);
      if (!tool) throw new BatonError("tool_unknown", `Step \`${step.id}\` uses the unknown tool \`${toolName}\`.`);
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

function attemptStatus(error: BatonError): string {
  // Not failed: a resume after the budget decision runs the step again.
  if (isBudgetPause(error)) return "paused";
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
