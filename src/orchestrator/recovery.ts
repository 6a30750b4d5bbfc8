import type { Clock } from "../clock.js";
import type { ExecutionRecord, ExecutionRepository } from "../db/repositories/execution-repository.js";
import { toBatonError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { OrchestratorEventBus } from "./events.js";
import type { ToolRegistry } from "./tools/registry.js";
import type { WorkflowCatalog } from "./workflow/catalog.js";
import { planResume } from "./workflow/resume.js";
import type { WorkflowRunner } from "./workflow/runner.js";

export type ResumeOutcome = "resumed" | "waiting" | "failed" | "lost";

export interface RecoveryDeps {
  executions: ExecutionRepository;
  catalog: WorkflowCatalog;
  runner: WorkflowRunner;
  tools: ToolRegistry;
  clock: Clock;
  logger: Logger;
  owner: string;
  events: Pick<OrchestratorEventBus, "emit">;
}

/**
 * Resumes executions a process left behind: interrupted at a shutdown, or running under a lease
 * that expired because their process died. Each is claimed with one conditional update first, so
 * two processes on one database never run the same execution.
 */
export class ExecutionRecovery {
  private sweeping: Promise<void> | null = null;

  constructor(private readonly deps: RecoveryDeps) {}

  /** Resolves once the sweep in progress (if any) has finished; EngineSweep runs them. */
  stop(): Promise<void> {
    return this.sweeping ?? Promise.resolve();
  }

  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    try {
      for (const execution of await this.deps.executions.resumable(this.deps.clock.now())) {
        // Still running here (a renewal that came late): never start a second copy in this process.
        if (this.deps.runner.isRunningHere(execution.id)) continue;
        const outcome = await this.resume(execution, { retryBlocked: false, fromWaiting: false });
        if (outcome !== "lost") this.deps.logger.info("execution recovered", { execution: execution.id, outcome });
      }
    } catch (error) {
      this.deps.logger.error("could not look for executions to resume", { error });
    }
  }

  /**
   * Claims and resumes one execution. A step that was mid-flight with a tool that is not safe to
   * repeat makes the execution wait for a person (approve: run it again; reject: fail the run).
   */
  async resume(
    execution: ExecutionRecord,
    options: { retryBlocked: boolean; fromWaiting: boolean },
  ): Promise<ResumeOutcome> {
    const { executions, runner, clock } = this.deps;
    const now = clock.now();
    if (!(await executions.claim(execution.id, this.deps.owner, runner.leaseUntil(), now, options.fromWaiting)))
      return "lost";
    // Nobody follows a run adopted from a stopped process: run reports tell its channel how it ends.
    if (!options.fromWaiting) this.deps.events.emit("execution.resumed", execution);
    try {
      await executions.interruptRunningAttempts(execution.id, now, "The process running this step stopped.");
      const definition = await this.deps.catalog.definition(execution.workflowName, execution.workflowVersion);
      const plan = planResume(definition, await executions.attempts(execution.id), this.deps.tools, options);
      if (plan.blocked) return await this.waitForDecision(execution.id, plan.blocked);
      if (plan.failed) return await this.failFinally(execution.id, plan.failed);
      if (plan.waiting) return await this.waitAgain(execution.id, plan.waiting as unknown as Record<string, unknown>);
      runner.start((await executions.get(execution.id)) ?? execution, definition, plan);
      return "resumed";
    } catch (caught) {
      const error = toBatonError(caught);
      await executions.transition(
        execution.id,
        ["running"],
        {
          status: "failed",
          errorCode: error.code,
          errorMessage: error.message,
          finishedAt: clock.now(),
          leaseOwner: null,
          leaseExpiresAt: null,
        },
        clock.now(),
      );
      this.deps.logger.error("could not resume an execution", { execution: execution.id, error });
      return "lost";
    }
  }

  /** The run had already failed for good when its process died: record it. */
  private async failFinally(id: string, failure: { code: string; message: string }): Promise<ResumeOutcome> {
    const now = this.deps.clock.now();
    const patch = {
      status: "failed",
      errorCode: failure.code,
      errorMessage: failure.message,
      finishedAt: now,
      leaseOwner: null,
      leaseExpiresAt: null,
    };
    await this.deps.executions.transition(id, ["running"], patch, now);
    return "failed";
  }

  /** An approval was open when the process died: the run waits for it again, same attempt. */
  private async waitAgain(id: string, waitingFor: Record<string, unknown>): Promise<ResumeOutcome> {
    const now = this.deps.clock.now();
    await this.deps.executions.transition(
      id,
      ["running"],
      { status: "waiting", waitingFor, leaseOwner: null, leaseExpiresAt: null },
      now,
    );
    return "waiting";
  }

  private async waitForDecision(id: string, blocked: { stepId: string; tool: string }): Promise<ResumeOutcome> {
    const now = this.deps.clock.now();
    const errorMessage =
      `Step \`${blocked.stepId}\` was running when baton stopped, and its tool \`${blocked.tool}\` is not safe to repeat. ` +
      `\`/orchestrate approve ${id}\` runs it again; \`/orchestrate reject ${id}\` fails the run.`;
    await this.deps.executions.transition(
      id,
      ["running"],
      {
        status: "waiting",
        errorCode: "decision_needed",
        errorMessage,
        waitingFor: { kind: "decision", stepId: blocked.stepId, tool: blocked.tool },
        leaseOwner: null,
        leaseExpiresAt: null,
      },
      now,
    );
    return "waiting";
  }
}
