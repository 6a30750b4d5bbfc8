import type { Clock } from "../clock.js";
import type { Command } from "../commands/commands.js";
import type { RequestContext } from "../commands/context.js";
import type { WorkflowHint } from "../commands/workflow-hint.js";
import type { AgentRepository } from "../db/repositories/agent-repository.js";
import type { ExecutionRepository } from "../db/repositories/execution-repository.js";
import type { ScheduleRepository } from "../db/repositories/schedule-repository.js";
import type { AuditSweeper } from "./audit/audit-sweeper.js";
import type { ControlLoop } from "./control/control-loop.js";
import type { EngineSweep } from "./engine-sweep.js";
import type { EventLog } from "./event-log.js";
import { dispatch, type HandlerTable } from "./handlers/handler.js";
import { checkTarget } from "./handlers/preflight.js";
import { fullIds } from "./ids.js";
import type { Result } from "./results.js";
import type { WorkflowCatalog } from "./workflow/catalog.js";
import type { WorkflowRunner } from "./workflow/runner.js";

export interface OrchestratorParts {
  handlers: HandlerTable;
  executions: ExecutionRepository;
  agentIds: AgentRepository;
  schedules: ScheduleRepository;
  catalog: WorkflowCatalog;
  runner: WorkflowRunner;
  auditSweeper: AuditSweeper;
  engineSweep: EngineSweep;
  controlLoop: ControlLoop;
  eventLog: EventLog;
  clock: Clock;
  leaseMs: number;
  workflowsDir: string;
  /** Checks only the access commands can make (a revocation names a grant that exists, not the last admin). */
  accessPreflight: (command: Command, platform: string) => Promise<void>;
}

/**
 * The one entry point every front-end goes through (DESIGN.md): `handle(command, context)` looks
 * the command's handler up in the table. Nothing reaches the database or an LLM around it.
 * Built by `createOrchestrator`.
 */
export class Orchestrator {
  constructor(private readonly parts: OrchestratorParts) {}

  async handle(typed: Command, context: RequestContext): Promise<Result> {
    return dispatch(this.parts.handlers, await this.withFullIds(typed), context);
  }

  /**
   * Checks a command's target before anyone is asked to confirm it, so nobody confirms the
   * cancellation of an execution that does not exist or has already finished. Returns the command
   * with typed short ids made whole, so the question names the execution or schedule meant.
   */
  async preflight(typed: Command, platform: string): Promise<Command> {
    const command = await this.withFullIds(typed);
    await checkTarget(command, this.parts);
    await this.parts.accessPreflight(command, platform);
    return command;
  }

  workflowHints(): WorkflowHint[] {
    return this.parts.catalog.hints();
  }

  /**
   * Loads workflow definitions, closes what a process that died left open (`recover`, the default;
   * `baton route` only looks), and with `resume` (long-running processes) resumes executions left
   * behind — now, and whenever another process's lease expires. One-shot commands do not adopt runs.
   */
  async start(options: { recover?: boolean; resume?: boolean; schedule?: boolean } = {}): Promise<void> {
    const { parts } = this;
    await parts.catalog.syncFromDirectory(parts.workflowsDir);
    if (!(options.recover ?? true)) return;
    const now = parts.clock.now();
    // Audit rows a dead process left pending are closed now and by every sweep while this one lives.
    await parts.auditSweeper.start();
    if (options.resume ?? true) {
      parts.controlLoop.startReports();
      await parts.engineSweep.start(Math.max(1000, Math.floor(parts.leaseMs / 2)));
      // Long-running processes also run schedules (seeded from the file, missed fires caught up).
      if (options.schedule ?? true) await parts.controlLoop.start();
      return;
    }
    // No resuming here, but status must not show a dead process's runs as running.
    await parts.executions.interrupt({
      owner: null,
      now,
      message: "The process running this execution stopped before it finished.",
    });
  }

  /** Stops in-flight executions, recording them as interrupted. */
  async shutdown(): Promise<string[]> {
    const { parts } = this;
    await parts.controlLoop.stop();
    await parts.engineSweep.stop();
    await parts.auditSweeper.stop();
    const interrupted = await parts.runner.shutdown();
    await parts.eventLog.close();
    return interrupted;
  }

  /** A unique prefix typed for an execution, agent or schedule id stands for the whole id. */
  private withFullIds(command: Command): Promise<Command> {
    const { executions, agentIds, schedules } = this.parts;
    return fullIds(command, { execution: executions, agent: agentIds, schedule: schedules });
  }
}
