import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Clock } from "../clock.js";
import { COMMAND_SPECS, type Command } from "../commands/commands.js";
import type { RequestContext } from "../commands/context.js";
import type { WorkflowHint } from "../commands/workflow-hint.js";
import type { ModelPrice } from "../config-llm.js";
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from "../config-scheduler.js";
import type { Database } from "../db/database.js";
import { AgentRepository } from "../db/repositories/agent-repository.js";
import { AuditRepository } from "../db/repositories/audit-repository.js";
import { EventRepository } from "../db/repositories/event-repository.js";
import { type ExecutionRecord, ExecutionRepository } from "../db/repositories/execution-repository.js";
import { FeedbackRepository } from "../db/repositories/feedback-repository.js";
import { LlmCallRepository } from "../db/repositories/llm-call-repository.js";
import { WorkflowRepository } from "../db/repositories/workflow-repository.js";
import { BatonError } from "../errors.js";
import type { ChatModel } from "../llm/chat-model.js";
import type { ProviderHealthSnapshot } from "../llm/provider-health.js";
import type { Logger } from "../logger.js";
import type { SecretStore } from "../secrets/secret-store.js";
import { AgentDesk } from "./agents/agent-desk.js";
import { type AgentSettings, type AgentsSetup, createAgents, DEFAULT_AGENT_SETTINGS } from "./agents/create-agents.js";
import type { Specialties } from "./agents/specialties.js";
import type { AgentRunner } from "./agents.js";
import { ApprovalDesk } from "./approvals.js";
import { AuditSweeper } from "./audit/audit-sweeper.js";
import { ControlPlane } from "./control/control-plane.js";
import type { DigestDelivery } from "./digest/digest.js";
import { createInsights } from "./digest/insights.js";
import { EventLog } from "./event-log.js";
import { EventBus, type OrchestratorEventBus, type OrchestratorEvents } from "./events.js";
import { approveExecution, rejectExecution } from "./handlers/decision-handlers.js";
import { help, history, IMPLEMENTED, status } from "./handlers/info-handlers.js";
import {
  cancelExecution,
  executionDetail,
  isFinished,
  listWorkflows,
  runWorkflow,
  showWorkflow,
  type WorkflowHandlerDeps,
} from "./handlers/workflow-handlers.js";
import { fullIds } from "./ids.js";
import type { ImproveResult } from "./improve/improve-results.js";
import { ExecutionRecovery } from "./recovery.js";
import type { Result, StatusSnapshot } from "./results.js";
import type { FireDriver } from "./scheduler/job-driver.js";
import type { ToolRegistry } from "./tools/registry.js";
import { WorkflowCatalog } from "./workflow/catalog.js";
import { WorkflowRunner } from "./workflow/runner.js";
import { SubWorkflows } from "./workflow/sub-workflows.js";

export interface OrchestratorDeps {
  database: Database;
  tools: ToolRegistry;
  clock: Clock;
  logger: Logger;
  workflowsDir: string;
  timeZone: string;
  info: { version: string; router: string; frontEnds: string[] };
  /** The LLM chain's provider health, for status (circuit breakers and cooldowns). */
  providerHealth?: () => ProviderHealthSnapshot[];
  /** How long a process owns an execution without renewing (BATON_LEASE_MS). */
  leaseMs?: number;
  /** Runs `agent` steps when no chat model is given (an embedder's own runner); agents answer them otherwise. */
  agents?: AgentRunner | null;
  /** Schedules, modes, steps and digests (BATON_SCHEDULES_FILE, BATON_CONTINUOUS_DELAY_MS, …). */
  scheduler?: SchedulerConfig;
  /** Posts digests to platform channels; injected by src/app.ts so the orchestrator never imports the bot. */
  digestDelivery?: DigestDelivery | null;
  /** Tests replace node-schedule's timers to drive fires themselves. */
  fireDriver?: FireDriver;
  /** The providers as one chat model for specialist agents (null without an LLM provider). */
  chat?: ChatModel | null;
  /** Specialties from YAML (default: the shipped file alone). */
  specialties?: Specialties;
  agentSettings?: AgentSettings;
  /** A model's price, for the budget estimate reserved before each agent call. */
  price?: (model: string) => ModelPrice | undefined;
  /** `{{ secrets.NAME }}` values (BATON_SECRET_<NAME>, BATON_SECRETS_FILE); none when absent. */
  secrets?: SecretStore;
}

/**
 * The one entry point every front-end goes through (DESIGN.md): `handle(command, context)`.
 * Nothing reaches the database or an LLM around it.
 */
export class Orchestrator {
  readonly events: OrchestratorEventBus = new EventBus<OrchestratorEvents>();
  readonly audit: AuditRepository;
  readonly llmCalls: LlmCallRepository;
  /** Persists the events above to the `events` table (the digest and pattern detection read it). */
  readonly eventLog: EventLog;
  private readonly executions: ExecutionRepository;
  private readonly catalog: WorkflowCatalog;
  private readonly runner: WorkflowRunner;
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  private readonly startedAt: Date;
  private readonly workflowDeps: WorkflowHandlerDeps;
  private readonly recovery: ExecutionRecovery;
  private readonly auditSweeper: AuditSweeper;
  private readonly approvals: ApprovalDesk;
  private readonly leaseMs: number;
  private readonly frontEndHealth = new Map<string, () => string>();
  readonly control: ControlPlane;
  private readonly agentIds: AgentRepository;
  /** Specialist agents: the pool (LRU, idle retirement) and the service that spawns and asks them. */
  readonly agents: AgentsSetup;
  /** Agents, budgets, `/improve` and rollback commands, and what they add around runs and status. */
  readonly desk: AgentDesk;

  constructor(private readonly deps: OrchestratorDeps) {
    this.startedAt = deps.clock.now();
    this.leaseMs = deps.leaseMs ?? 60_000;
    this.audit = new AuditRepository(deps.database, { owner: this.owner, leaseMs: this.leaseMs, clock: deps.clock });
    this.auditSweeper = new AuditSweeper({
      audit: this.audit,
      clock: deps.clock,
      logger: deps.logger,
      leaseMs: this.leaseMs,
    });
    this.llmCalls = new LlmCallRepository(deps.database);
    this.eventLog = new EventLog(new EventRepository(deps.database), deps.clock, deps.logger);
    this.eventLog.attach(this.events);
    this.executions = new ExecutionRepository(deps.database);
    this.agentIds = new AgentRepository(deps.database);
    this.catalog = new WorkflowCatalog(new WorkflowRepository(deps.database), deps.tools, deps.clock, deps.logger);
    const subWorkflows = new SubWorkflows({
      catalog: this.catalog,
      executions: this.executions,
      clock: deps.clock,
      owner: this.owner,
    });
    this.agents = createAgents({
      ...deps,
      executions: this.executions,
      audit: this.audit,
      events: this.events,
      chat: deps.chat ?? null,
      price: deps.price ?? (() => undefined),
      settings: deps.agentSettings,
    });
    this.runner = new WorkflowRunner({
      executions: this.executions,
      tools: deps.tools,
      events: this.events,
      clock: deps.clock,
      logger: deps.logger,
      owner: this.owner,
      leaseMs: this.leaseMs,
      agents: deps.chat ? this.agents.service : (deps.agents ?? null),
      subWorkflows,
      ...(deps.secrets && { secrets: deps.secrets }),
    });
    subWorkflows.attach(this.runner);
    this.recovery = new ExecutionRecovery({
      executions: this.executions,
      catalog: this.catalog,
      runner: this.runner,
      tools: deps.tools,
      clock: deps.clock,
      logger: deps.logger,
      owner: this.owner,
      // Each sweep also lets approvals whose timeout passed take their default action.
      afterSweep: async () => {
        await this.approvals.expire();
        await this.agents.pool.retireIdle();
      },
    });
    this.desk = new AgentDesk({
      ...deps,
      agents: this.agents,
      executions: this.executions,
      catalog: this.catalog,
      events: this.events,
      price: deps.price ?? (() => undefined),
    });
    this.approvals = new ApprovalDesk({
      executions: this.executions,
      recovery: this.recovery,
      catalog: this.catalog,
      audit: this.audit,
      clock: deps.clock,
      logger: deps.logger,
    });
    this.workflowDeps = {
      catalog: this.catalog,
      executions: this.executions,
      runner: this.runner,
      clock: deps.clock,
      owner: this.owner,
    };
    this.control = new ControlPlane({
      database: deps.database,
      executions: this.executions,
      audit: this.audit,
      clock: deps.clock,
      logger: deps.logger,
      owner: this.owner,
      timeZone: deps.timeZone,
      config: deps.scheduler ?? DEFAULT_SCHEDULER_CONFIG,
      isWorkflow: (name) => this.catalog.hints().some((hint) => hint.name === name),
      handle: (command, context) => this.handle(command, context),
      sweep: () => this.recovery.sweep(),
      delivery: deps.digestDelivery ?? null,
      insights: createInsights({
        budgets: this.agents.budgets,
        feedback: new FeedbackRepository(deps.database),
        events: new EventRepository(deps.database),
        agents: this.agents.agents,
        today: () => this.agents.guard.today(),
        now: () => deps.clock.now(),
        idleMs: (deps.agentSettings ?? DEFAULT_AGENT_SETTINGS).idleMs,
        retireIdle: () => this.agents.pool.retireIdle(),
      }),
      ...(deps.fireDriver && { driver: deps.fireDriver }),
    });
  }

  /**
   * Loads workflow definitions, closes what a process that died left open (`recover`, the default;
   * `baton route` only looks), and with `resume` (long-running processes) resumes executions left
   * behind — now, and whenever another process's lease expires. One-shot commands do not adopt runs.
   */
  async start(options: { recover?: boolean; resume?: boolean; schedule?: boolean } = {}): Promise<void> {
    await this.catalog.syncFromDirectory(this.deps.workflowsDir);
    if (!(options.recover ?? true)) return;
    const now = this.deps.clock.now();
    // Audit rows a dead process left pending are closed now and by every sweep while this one lives.
    await this.auditSweeper.start();
    if (options.resume ?? true) {
      await this.recovery.start(Math.max(1000, Math.floor(this.leaseMs / 2)));
      // Long-running processes also run schedules (seeded from the file, missed fires caught up).
      if (options.schedule ?? true) await this.control.start();
      return;
    }
    // No resuming here, but status must not show a dead process's runs as running.
    await this.executions.interrupt({
      owner: null,
      now,
      message: "The process running this execution stopped before it finished.",
    });
  }

  async handle(typed: Command, context: RequestContext): Promise<Result> {
    const command = await this.withFullIds(typed);
    const deps = this.workflowDeps;
    const answered = this.desk.handle(command, context);
    if (answered) return answered;
    switch (command.type) {
      case "help":
        return help(command, context);
      case "status":
        return this.withControl(
          await this.desk.withStatus(
            await status({
              executions: this.executions,
              catalog: this.catalog,
              llmCalls: this.llmCalls,
              providerHealth: this.deps.providerHealth ?? (() => []),
              timeZone: this.deps.timeZone,
              now: () => this.deps.clock.now(),
              info: this.info(),
            }),
          ),
        );
      case "history":
        // `history orchestrator` (user=orchestrator): the orchestrator's decision journal.
        if (command.user?.replace(/^@/, "").toLowerCase() === "orchestrator")
          return this.control.journal(command.limit ?? 5);
        return history(command, context, this.audit);
      case "workflow.list":
        return listWorkflows(deps);
      case "workflow.show":
        return showWorkflow(command, deps);
      case "workflow.run":
        await this.desk.beforeRun(command, context);
        return this.desk.afterRun(command, context, await runWorkflow(command, context, deps));
      case "execution.list":
        return {
          type: "execution.list",
          executions: await this.executions.list({
            limit: command.limit ?? 10,
            ...(command.status && { status: command.status }),
          }),
          ...(command.status !== undefined && { status: command.status }),
        };
      case "execution.show":
        return { type: "execution.show", detail: await executionDetail(command.execution, deps) };
      case "execution.cancel":
        return cancelExecution(command, deps);
      case "execution.approve":
        return approveExecution(command, context, this.decisionDeps());
      case "execution.reject":
        return rejectExecution(command, context, this.decisionDeps());
      default: {
        const result = await this.control.handle(command, context);
        if (!result) throw notAvailable(command);
        if (command.type === "digest" || command.type === "orchestrator.step") this.desk.afterRequest(command, context);
        return result;
      }
    }
  }

  /**
   * Checks a command's target before anyone is asked to confirm it, so nobody confirms the
   * cancellation of an execution that does not exist or has already finished. Returns the command
   * with typed short ids made whole, so the question names the execution or schedule meant.
   */
  async preflight(typed: Command): Promise<Command> {
    if (!this.isAvailable(typed)) throw notAvailable(typed);
    const command = await this.withFullIds(typed);
    if (command.type === "schedule.delete" && !(await this.control.schedules.get(command.schedule))) {
      throw new BatonError(
        "not_found",
        `There is no schedule \`${command.schedule}\`; \`/orchestrate schedules\` lists them.`,
      );
    }
    if (command.type !== "execution.cancel") return command;
    const { execution } = await executionDetail(command.execution, this.workflowDeps);
    if (isFinished(execution.status)) {
      throw new BatonError(
        "invalid_command",
        `\`${execution.id}\` has already ${execution.status}; there is nothing to cancel.`,
      );
    }
    return command;
  }

  /** A unique prefix typed for an execution, agent or schedule id stands for the whole id. */
  private withFullIds(command: Command): Promise<Command> {
    return fullIds(command, { execution: this.executions, agent: this.agentIds, schedule: this.control.schedules });
  }

  private async withControl(result: Result): Promise<Result> {
    if (result.type !== "status") return result;
    return { ...result, status: { ...result.status, control: await this.control.snapshot() } };
  }

  private decisionDeps() {
    return {
      executions: this.executions,
      recovery: this.recovery,
      approvals: this.approvals,
      clock: this.deps.clock,
      onBudgetApproved: (execution: ExecutionRecord, note: string | undefined, context: RequestContext) =>
        this.desk.onBudgetApproved(execution, note, context),
    };
  }

  isAvailable(command: Command): boolean {
    return IMPLEMENTED.has(command.type);
  }

  workflowHints(): WorkflowHint[] {
    return this.catalog.hints();
  }

  async executionDetail(id: string) {
    return executionDetail(id, this.workflowDeps);
  }

  /** The proposal an `/improve` is drafting (null when none is): the dispatcher edits its acknowledgement with it. */
  /**
   * A pattern offer (the third same-shaped request in a week), once: for a run started here by its
   * execution id, for a digest or step request by `audit:<audit id>`.
   */
  patternOfferFor(key: string) {
    return this.desk.patternOfferFor(key);
  }

  improvementFor(feedbackId: number): Promise<ImproveResult> | null {
    return this.desk.improve.proposalFor(feedbackId);
  }

  /** Resolves when the execution has finished or waits for a person (whichever comes first). */
  async waitUntilSettled(id: string): Promise<ExecutionRecord | null> {
    const settled = await this.runner.whenSettled(id);
    if (settled) return settled;
    return this.executions.get(id);
  }

  /** A front-end reports how it is doing, for status; the returned function withdraws the report. */
  reportFrontEndHealth(frontEnd: string, describe: () => string): () => void {
    this.frontEndHealth.set(frontEnd, describe);
    return () => {
      this.frontEndHealth.delete(frontEnd);
    };
  }

  /** Stops in-flight executions, recording them as interrupted. */
  async shutdown(): Promise<string[]> {
    await this.control.stop();
    await this.recovery.stop();
    await this.auditSweeper.stop();
    const interrupted = await this.runner.shutdown();
    await this.eventLog.close();
    return interrupted;
  }

  private info(): Omit<
    StatusSnapshot,
    "now" | "running" | "waiting" | "interrupted" | "last24h" | "workflows" | "llm"
  > {
    return {
      version: this.deps.info.version,
      startedAt: this.startedAt,
      database: { dialect: this.deps.database.dialect, location: this.deps.database.location },
      router: this.deps.info.router,
      frontEnds: this.deps.info.frontEnds,
      frontEndHealth: [...this.frontEndHealth.values()].map((describe) => describe()),
    };
  }
}

function notAvailable(command: Command): BatonError {
  const usage = COMMAND_SPECS[command.type].usage;
  return new BatonError(
    "unavailable",
    `\`${usage}\` is not available yet in this version of baton; \`/orchestrate help\` lists what is.`,
  );
}
