import type { Clock } from "../../clock.js";
import type {
  ExecutionRecord,
  ExecutionRepository,
  NewAttempt,
  StepAttemptRecord,
} from "../../db/repositories/execution-repository.js";
import { BatonError, toBatonError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { redactSecrets, redactValue } from "../../redact.js";
import { SecretStore } from "../../secrets/secret-store.js";
import { type AgentRunner, agentTool } from "../agents.js";
import { type BudgetWait, budgetWaitFor, isBudgetPause } from "../budgets/budget-pause.js";
import type { OrchestratorEventBus } from "../events.js";
import type { ToolRegistry } from "../tools/registry.js";
import { runTool } from "../tools/registry.js";
import type { JsonValue, Tool } from "../tools/types.js";
import type { ApprovalWait } from "./approval-step.js";
import { openApproval } from "./approval-step.js";
import { AttemptRow, type AttemptWriter, NOT_FINISHED, QUICK_STEP_MS } from "./attempt-row.js";
import { type BodyRunner, runGroup, runLoopIterations, runMapItems } from "./composite-steps.js";
import type { WorkflowDefinition } from "./definition.js";
import { evaluateCondition } from "./expression.js";
import { type ResumePlan, restoreScope } from "./resume.js";
import { DEFAULT_RETRY, retryDelay } from "./retry.js";
import { abortReason, CANCELLED, INTERRUPTED, LEASE_LOST, STOPS } from "./run-control.js";
import { type SubWorkflowDeps, SubWorkflows } from "./sub-workflows.js";
import { renderValue, type TemplateScope, usesSecrets } from "./template.js";

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
  /** Runs `workflow` steps as child executions (the launcher is built here, with this runner). */
  subWorkflows?: Omit<SubWorkflowDeps, "runner">;
  /** `{{ secrets.NAME }}` in a tool step's `with`, resolved only as the tool runs. */
  secrets?: SecretStore;
}

type WorkflowStep = WorkflowDefinition["steps"][number];
type ToolStep = Extract<WorkflowStep, { kind: "tool" }>;
type LoopStep = Extract<WorkflowStep, { kind: "loop" }>;
type MapStep = Extract<WorkflowStep, { kind: "map" }>;
type AgentStep = Extract<WorkflowStep, { kind: "agent" }>;
type WorkflowCallStep = Extract<WorkflowStep, { kind: "workflow" }>;
/** Steps that run one thing per attempt: a tool, an agent, or a sub-workflow. */
type AttemptStep = ToolStep | AgentStep | WorkflowCallStep;
type StepResult = { output: JsonValue } | { error: BatonError };
type RunOutcome =
  | { output: Record<string, JsonValue> }
  | { error: BatonError }
  | { waiting: ApprovalWait | BudgetWait };

interface InFlight {
  controller: AbortController;
  /** The execution as this process left it (null when another process owns it now). */
  done: Promise<ExecutionRecord | null>;
}

/**
 * Runs an execution's steps — tool steps with retries and timeouts, `when` conditions, parallel
 * groups and approval steps — writing each attempt before and after it runs, so the database always
 * says what happened, and picking up from a ResumePlan after a restart. Loops and sub-workflows
 * are still to come; they should make this a recursive executor over step paths.
 */
export class WorkflowRunner implements AttemptWriter {
  private readonly inFlight = new Map<string, InFlight>();
  /** The executions running here, for steps that need more than their id (sub-workflows). */
  private readonly records = new Map<string, ExecutionRecord>();
  private readonly leaseMs: number;
  private stopping = false;
  private readonly subWorkflows: SubWorkflows | null;

  constructor(private readonly deps: RunnerDeps) {
    this.leaseMs = deps.leaseMs ?? 60_000;
    this.subWorkflows = deps.subWorkflows ? new SubWorkflows({ ...deps.subWorkflows, runner: this }) : null;
  }

  leaseUntil(): Date {
    return new Date(this.deps.clock.now().getTime() + this.leaseMs);
  }

  /** Starts running in the background; `whenSettled` resolves when it stops. */
  start(execution: ExecutionRecord, definition: WorkflowDefinition, resume?: ResumePlan): void {
    const controller = new AbortController();
    // A run that arrives while baton shuts down is recorded as interrupted instead of starting.
    if (this.stopping) controller.abort(INTERRUPTED);
    this.records.set(execution.id, execution);
    const done = this.run(execution, definition, controller, resume)
      .catch((error: unknown) => {
        this.deps.logger.error("execution crashed", { execution: execution.id, error });
        return null;
      })
      .finally(() => {
        this.inFlight.delete(execution.id);
        this.records.delete(execution.id);
      });
    this.inFlight.set(execution.id, { controller, done });
  }

  isRunningHere(id: string): boolean {
    return this.inFlight.has(id);
  }

  /** Aborts the current step of an execution running in this process. */
  abort(id: string): void {
    this.inFlight.get(id)?.controller.abort(CANCELLED);
  }

  /**
   * Resolves when the execution stops running here, with its record as this process wrote it
   * (undefined when it was not running here; null when its state must be read from the database).
   */
  async whenSettled(id: string): Promise<ExecutionRecord | null | undefined> {
    return this.inFlight.get(id)?.done;
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
  ): Promise<ExecutionRecord | null> {
    const { signal } = controller;
    // Renewed three times a lease; a renewal that finds the lease gone stops this copy of the run.
    const renewal = this.deps.clock.setInterval(
      () => void this.renewLease(execution.id, controller),
      Math.max(100, this.leaseMs / 3),
    );
    try {
      this.deps.events.emit("execution.started", execution);
      // A database error mid-run still finishes the execution, as failed, instead of stranding it.
      const outcome = await this.runSteps(execution, definition, signal, resume).catch((error: unknown) => ({
        error: toBatonError(error),
      }));
      return await this.finish(execution, outcome);
    } finally {
      renewal.cancel();
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
      // A cancel from another process shows when the next attempt row is written (recordOwnedAttempt).
      if (signal.aborted) return { error: abortReason(signal) };
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
    const tool = step.kind === "tool" || step.kind === "agent" || step.kind === "workflow" ? toolLabel(step) : null;
    const attempt = { executionId, stepPath: path, stepKind: step.kind, tool, attempt: first };
    let run = true;
    try {
      // The whole scope: a step inside a loop or map may read `loop.…`, `item` and `index` too.
      if (step.when !== undefined) run = evaluateCondition(step.when, scope as unknown as Record<string, unknown>);
    } catch (error) {
      return this.recordFailure(attempt, { when: step.when }, toBatonError(error));
    }
    if (run && step.kind === "approval") return openApproval(this.deps, executionId, step, scope, first);
    if (run && (step.kind === "tool" || step.kind === "agent" || step.kind === "workflow"))
      return this.runStep(executionId, step, scope, signal, first, path);
    if (run && step.kind === "parallel") return runGroup(step, scope, this.body(executionId, signal, resume));
    if (run && step.kind === "loop") return this.runLoop(executionId, step, scope, signal, resume);
    if (run && step.kind === "map")
      return this.runComposite(executionId, step, () =>
        runMapItems(step, scope, this.body(executionId, signal, resume)),
      );
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
  private runLoop(
    executionId: string,
    step: LoopStep,
    scope: TemplateScope,
    signal: AbortSignal,
    resume: ResumePlan | undefined,
  ): Promise<StepResult> {
    return this.runComposite(executionId, step, () =>
      runLoopIterations(step, scope, this.body(executionId, signal, resume)),
    );
  }

  /** A loop's or map's inner steps, then its own row: the result, or why it could not run. */
  private async runComposite(
    executionId: string,
    step: LoopStep | MapStep,
    work: () => Promise<StepResult>,
  ): Promise<StepResult> {
    const attempt = { executionId, stepPath: step.id, stepKind: step.kind, tool: null, attempt: 1 };
    let result: StepResult;
    try {
      result = await work();
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
    step: AttemptStep,
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
        await this.deps.clock.sleep(delayMs, signal);
      } catch {
        return { error: abortReason(signal) };
      }
    }
  }

  /**
   * One attempt. Its row is written only while the run is still this process's (a cancel or a lost
   * lease elsewhere stops it there). A step whose tool is safe to repeat and that finishes within
   * QUICK_STEP_MS is written once, finished; any other step gets its `running` row first (a tool
   * that is not safe to repeat, before it starts; a slow one, once it has run QUICK_STEP_MS), so a
   * crash mid-step is seen on resume. A quick repeatable step cut off by a crash has no row and
   * simply runs again, which is what resume would do with its `running` row anyway.
   */
  private async runAttempt(
    executionId: string,
    step: AttemptStep,
    scope: TemplateScope,
    signal: AbortSignal,
    number: number,
    path: string,
  ): Promise<{ output: JsonValue } | { error: BatonError }> {
    const { events, clock } = this.deps;
    let input: unknown = null;
    // What the tool gets: `input` (as stored, `{{ secrets.NAME }}` kept as written) with secrets resolved.
    let resolved: unknown = null;
    const toolName = toolLabel(step);
    const attempt = { executionId, stepPath: path, stepKind: step.kind, tool: toolName, attempt: number };
    const args = step.kind === "agent" ? step.agent : step.kind === "workflow" ? step.workflow : step.with;
    try {
      input = renderValue(args, scope);
      // Secrets reach tools only (definitions refuse them elsewhere; this holds even if one slipped by).
      resolved = step.kind === "tool" ? this.withSecrets(args, scope, input) : input;
    } catch (error) {
      return this.recordFailure(attempt, input, toBatonError(error));
    }
    const tool = this.toolFor(step, executionId, path, number);
    const started = { ...attempt, input, startedAt: clock.now() };
    const row = new AttemptRow(this, started, clock);
    if (!tool?.idempotent) {
      if ((await row.open()) === null) return { error: await this.whyStopped(executionId) };
    } else row.openAfter(QUICK_STEP_MS);
    events.emit("step.started", { ...started, id: 0, ...NOT_FINISHED });
    let result: { output: JsonValue } | { error: BatonError };
    try {
      if (!tool) throw new BatonError("tool_unknown", `Step \`${step.id}\` uses the unknown tool \`${toolName}\`.`);
      const output = await runTool(tool, resolved, {
        signal,
        clock,
        runId: executionId,
        ...(step.timeoutMs !== undefined && { timeoutMs: step.timeoutMs }),
      });
      result = { output: this.masked(output) };
    } catch (caught) {
      result = { error: signal.aborted ? abortReason(signal) : this.maskedError(toBatonError(caught)) };
    }
    const outcome =
      "output" in result
        ? { status: "succeeded", output: result.output }
        : { status: attemptStatus(result.error), error: result.error };
    if (await row.close(outcome)) return result;
    const stop = await this.whyStopped(executionId);
    // A cancelled run still shows the step it cut short. After a lost lease, only an open row this
    // copy cut off is closed (as interrupted); any other outcome is the new owner's to write.
    const refused = row.refused;
    const cutOff = refused?.id != null && refused.row.status === "interrupted";
    if (refused && (stop === CANCELLED || cutOff)) await this.recordStopped(refused);
    return { error: stop };
  }

  /** The step's arguments with `{{ secrets.NAME }}` resolved (a missing secret fails the step). */
  private withSecrets(args: unknown, scope: TemplateScope, stored: unknown): unknown {
    if (!usesSecrets(args)) return stored;
    const secrets = this.deps.secrets ?? SecretStore.empty();
    return renderValue(args, { ...scope, secrets: (name) => secrets.resolve(name) });
  }

  /** A tool that echoes a resolved secret (a response, an error quoting a URL) is masked before anything keeps it. */
  private masked(output: JsonValue): JsonValue {
    return this.deps.secrets ? this.deps.secrets.mask(output) : output;
  }

  /** Masked in place, so the error keeps its class (RetryAfterError, NonRetriableError) for the retry policy. */
  private maskedError(error: BatonError): BatonError {
    if (this.deps.secrets) error.message = this.deps.secrets.maskText(error.message);
    return error;
  }

  private toolFor(step: AttemptStep, executionId: string, stepPath: string, attempt: number): Tool | undefined {
    if (step.kind === "tool") return this.deps.tools.get(step.tool);
    if (step.kind === "agent") return agentTool(this.deps.agents ?? null, executionId);
    const parent = this.records.get(executionId);
    return parent && this.subWorkflows ? this.subWorkflows.tool({ parent, stepPath, attempt }) : undefined;
  }

  /** Writes an attempt row while the run is this process's; null when it no longer is. */
  recordOwned(attempt: NewAttempt): Promise<number | null> {
    return this.deps.executions.recordOwnedAttempt(attempt, this.deps.owner);
  }

  announceFinished(attempt: StepAttemptRecord): void {
    this.deps.events.emit("step.finished", attempt);
  }

  now(): Date {
    return this.deps.clock.now();
  }

  private async recordStopped(refused: { id: number | null; row: NewAttempt }): Promise<void> {
    const { output = null, errorCode = null, errorMessage = null, finishedAt = null, ...started } = refused.row;
    const id = refused.id ?? (await this.deps.executions.startAttempt(started));
    await this.deps.executions.finishAttempt(id, {
      status: started.status,
      output,
      errorCode,
      errorMessage,
      finishedAt,
    });
  }

  async finishOwned(
    attempt: Omit<NewAttempt, "status"> & { id: number },
    result: { status: string; output?: JsonValue; error?: BatonError },
  ): Promise<boolean> {
    const patch = {
      status: result.status,
      output: result.output ?? null,
      errorCode: result.error?.code ?? null,
      errorMessage: result.error?.message ?? null,
      finishedAt: this.deps.clock.now(),
    };
    if (!(await this.deps.executions.finishOwnedAttempt(attempt.id, patch, this.deps.owner))) return false;
    this.deps.events.emit("step.finished", { ...attempt, ...patch });
    return true;
  }

  /** After a refused write: the run was cancelled, or another process owns it now. */
  private async whyStopped(executionId: string): Promise<BatonError> {
    const current = await this.deps.executions.get(executionId);
    return current?.status === "running" ? LEASE_LOST : CANCELLED;
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

  async finishAttempt(
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

  private async finish(execution: ExecutionRecord, outcome: RunOutcome): Promise<ExecutionRecord | null> {
    const { executions, clock, events } = this.deps;
    const { id } = execution;
    const now = clock.now();
    const release = { leaseOwner: null, leaseExpiresAt: null };
    // The run belongs to another process now: whatever this copy did, the owner records the outcome.
    if ("error" in outcome && outcome.error.code === "lease_lost") return null;
    const owner = this.deps.owner;
    // Only a running execution this process still owns moves on: a cancel that got there first keeps its status.
    if ("waiting" in outcome) {
      const waitingFor = outcome.waiting as unknown as Record<string, unknown>;
      await executions.transition(id, ["running"], { status: "waiting", waitingFor, ...release }, now, owner);
      const waiting = await executions.get(id);
      if (waiting) events.emit("execution.waiting", waiting);
      return waiting;
    }
    const patch =
      "output" in outcome
        ? { status: "succeeded", output: outcome.output }
        : {
            status: executionStatus(outcome.error),
            errorCode: outcome.error.code,
            errorMessage: outcome.error.message,
          };
    const moved = await executions.transition(id, ["running"], { ...patch, finishedAt: now, ...release }, now, owner);
    // What was just written, as stored (redacted), without reading it back; a run that was
    // cancelled meanwhile is read, since the cancel wrote its row.
    const finished = moved
      ? { ...execution, ...release, ...redactedOutcome(patch), finishedAt: now }
      : await executions.get(id);
    if (finished) events.emit("execution.finished", finished);
    return finished;
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

/** The `tool` column of an attempt: the tool's name, `agent:<specialty>` or `workflow:<name>`. */
function toolLabel(step: AttemptStep): string {
  if (step.kind === "agent") return `agent:${step.agent.specialty}`;
  if (step.kind === "workflow") return `workflow:${step.workflow.name}`;
  return step.tool;
}

function redactedOutcome(patch: { status: string; output?: unknown; errorCode?: string; errorMessage?: string }) {
  return {
    status: patch.status,
    output: patch.output === undefined ? null : redactValue(patch.output),
    errorCode: patch.errorCode ?? null,
    errorMessage: patch.errorMessage === undefined ? null : redactSecrets(patch.errorMessage),
  };
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
