import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Clock } from "../clock.js";
import type { ModelPrice } from "../config-llm.js";
import type { Database } from "../db/database.js";
import { AuditRepository } from "../db/repositories/audit-repository.js";
import { EventRepository } from "../db/repositories/event-repository.js";
import { type ExecutionRecord, ExecutionRepository } from "../db/repositories/execution-repository.js";
import { FeedbackRepository } from "../db/repositories/feedback-repository.js";
import { LlmCallRepository } from "../db/repositories/llm-call-repository.js";
import { ProposalRepository } from "../db/repositories/proposal-repository.js";
import { WorkflowRepository } from "../db/repositories/workflow-repository.js";
import { BatonError } from "../errors.js";
import type { ChatModel } from "../llm/chat-model.js";
import type { ProviderHealthSnapshot } from "../llm/provider-health.js";
import type { WorkflowHint } from "../llm/types.js";
import type { Logger } from "../logger.js";
import { askAgent, listAgents, retireAgent, spawnAgent } from "./agents/agent-handlers.js";
import { type AgentSettings, type AgentsSetup, createAgents } from "./agents/create-agents.js";
import type { Specialties } from "./agents/specialties.js";
import type { AgentRunner } from "./agents.js";
import { ApprovalDesk } from "./approvals.js";
import { applyBudgetChoice } from "./budgets/budget-decisions.js";
import { setBudget, showBudgets } from "./budgets/budget-handlers.js";
import { budgetWaitOf } from "./budgets/budget-pause.js";
import { checkRunLimit } from "./budgets/count-limits.js";
import { COMMAND_SPECS, type Command, type CommandOf } from "./commands.js";
import type { RequestContext } from "./context.js";
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
import { type ImproveResult, parseProposalId } from "./improve/improve-results.js";
import { ImproveService } from "./improve/improve-service.js";
import { PatternDetector } from "./improve/patterns.js";
import { ExecutionRecovery } from "./recovery.js";
import type { Result, StatusSnapshot } from "./results.js";
import type { ToolRegistry } from "./tools/registry.js";
import { WorkflowCatalog } from "./workflow/catalog.js";
import { WorkflowRunner } from "./workflow/runner.js";

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
  /** Runs `agent` steps; null or absent without an LLM provider. */
  agents?: AgentRunner | null;
  /** The providers as one chat model for specialist agents (null without an LLM provider). */
  chat?: ChatModel | null;
  /** Specialties from YAML (default: the shipped file alone). */
  specialties?: Specialties;
  agentSettings?: AgentSettings;
  /** A model's price, for the budget estimate reserved before each agent call. */
  price?: (model: string) => ModelPrice | undefined;
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
  private readonly approvals: ApprovalDesk;
  private readonly leaseMs: number;
  /** Specialist agents: the pool (LRU, idle retirement) and the service that spawns and asks them. */
  readonly agents: AgentsSetup;
  /** `/improve`: feedback, proposals replayed against the run, apply/discard, rollback. */
  readonly improve: ImproveService;
  private readonly patterns: PatternDetector;

  constructor(private readonly deps: OrchestratorDeps) {
    this.startedAt = deps.clock.now();
    this.audit = new AuditRepository(deps.database);
    this.llmCalls = new LlmCallRepository(deps.database);
    this.eventLog = new EventLog(new EventRepository(deps.database), deps.clock, deps.logger);
    this.eventLog.attach(this.events);
    this.executions = new ExecutionRepository(deps.database);
    this.catalog = new WorkflowCatalog(new WorkflowRepository(deps.database), deps.tools, deps.clock, deps.logger);
    this.leaseMs = deps.leaseMs ?? 60_000;
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
    });
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
    this.patterns = new PatternDetector({ database: deps.database, events: this.events, clock: deps.clock });
    this.improve = new ImproveService({
      feedback: new FeedbackRepository(deps.database),
      proposals: new ProposalRepository(deps.database),
      executions: this.executions,
      catalog: this.catalog,
      tools: deps.tools,
      agents: this.agents.chat ? this.agents.service : null,
      chat: this.agents.chat,
      events: this.events,
      clock: deps.clock,
      logger: deps.logger,
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
  }

  /**
   * Loads workflow definitions, closes what a process that died left open (`recover`, the default;
   * `baton route` only looks), and with `resume` (long-running processes) resumes executions left
   * behind — now, and whenever another process's lease expires. One-shot commands do not adopt runs.
   */
  async start(options: { recover?: boolean; resume?: boolean } = {}): Promise<void> {
    await this.catalog.syncFromDirectory(this.deps.workflowsDir);
    if (!(options.recover ?? true)) return;
    const now = this.deps.clock.now();
    // A pending audit row older than any request can take belongs to a process that died.
    await this.audit.closeAbandoned(now, new Date(now.getTime() - 15 * 60_000));
    if (options.resume ?? true) {
      await this.recovery.start(Math.max(1000, Math.floor(this.leaseMs / 2)));
      return;
    }
    // No resuming here, but status must not show a dead process's runs as running.
    await this.executions.interrupt({
      owner: null,
      now,
      message: "The process running this execution stopped before it finished.",
    });
  }

  async handle(command: Command, context: RequestContext): Promise<Result> {
    const deps = this.workflowDeps;
    switch (command.type) {
      case "help":
        return help(command, context);
      case "status":
        return this.withAgentStatus(
          await status({
            executions: this.executions,
            catalog: this.catalog,
            llmCalls: this.llmCalls,
            providerHealth: this.deps.providerHealth ?? (() => []),
            timeZone: this.deps.timeZone,
            now: () => this.deps.clock.now(),
            info: this.info(),
          }),
        );
      case "history":
        return history(command, context, this.audit);
      case "workflow.list":
        return listWorkflows(deps);
      case "workflow.show":
        return showWorkflow(command, deps);
      case "workflow.run":
        await checkRunLimit(this.agents.budgets, this.executions, {
          actorId: context.actor.id,
          channel: context.origin.channel,
          workflow: command.workflow,
        });
        return this.withPatternOffer(command, context, await runWorkflow(command, context, deps));
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
        if (parseProposalId(command.execution) !== null)
          return this.improve.apply(parseProposalId(command.execution) as number, context.actor);
        return approveExecution(command, context, this.decisionDeps());
      case "execution.reject":
        if (parseProposalId(command.execution) !== null)
          return this.improve.discard(parseProposalId(command.execution) as number, context.actor);
        return rejectExecution(command, context, this.decisionDeps());
      case "ask":
        return askAgent(command, context, this.agents);
      case "agent.spawn":
        return spawnAgent(command, context, this.agents);
      case "agent.list":
        return listAgents(this.agents);
      case "agent.retire":
        return retireAgent(command, this.agents);
      case "improve":
        return this.improve.receive(command, context);
      case "workflow.rollback":
        return this.improve.rollback(command, context.actor);
      case "budget.show":
        return showBudgets(command, this.budgetDeps());
      case "budget.set":
        return setBudget(command, context, this.budgetDeps());
      default:
        throw notAvailable(command);
    }
  }

  /**
   * Checks a command's target before anyone is asked to confirm it, so nobody confirms the
   * cancellation of an execution that does not exist or has already finished.
   */
  async preflight(command: Command): Promise<void> {
    if (!this.isAvailable(command)) throw notAvailable(command);
    if (command.type !== "execution.cancel") return;
    const { execution } = await executionDetail(command.execution, this.workflowDeps);
    if (isFinished(execution.status)) {
      throw new BatonError(
        "invalid_command",
        `\`${execution.id}\` has already ${execution.status}; there is nothing to cancel.`,
      );
    }
  }

  private budgetDeps() {
    return { budgets: this.agents.budgets, guard: this.agents.guard, now: () => this.deps.clock.now() };
  }

  private decisionDeps() {
    const budgetDecision = {
      budgets: this.agents.budgets,
      service: this.agents.service,
      price: this.deps.price ?? (() => undefined),
      clock: this.deps.clock,
    };
    return {
      executions: this.executions,
      recovery: this.recovery,
      approvals: this.approvals,
      clock: this.deps.clock,
      onBudgetApproved: async (execution: ExecutionRecord, note: string | undefined, context: RequestContext) => {
        const wait = budgetWaitOf(execution);
        return wait ? applyBudgetChoice(execution, wait, note, context.actor, budgetDecision) : "";
      },
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

  private async withAgentStatus(result: Result): Promise<Result> {
    if (result.type !== "status") return result;
    const [active, feedback] = await Promise.all([this.agents.agents.countActive(), this.improve.awaitingReview()]);
    return { ...result, status: { ...result.status, agents: { active, feedbackAwaitingReview: feedback.length } } };
  }

  /** A request made for the third time in a week gets an offer to schedule it or save its inputs. */
  private async withPatternOffer(
    command: CommandOf<"workflow.run">,
    context: RequestContext,
    result: Result,
  ): Promise<Result> {
    if (result.type !== "workflow.run") return result;
    try {
      const pattern = await this.patterns.observe(command, context, result.execution.id);
      return pattern ? { ...result, pattern } : result;
    } catch (error) {
      this.deps.logger.warn("pattern detection failed", { error });
      return result;
    }
  }

  /** The proposal an `/improve` is drafting (null when none is): the dispatcher edits its acknowledgement with it. */
  improvementFor(feedbackId: number): Promise<ImproveResult> | null {
    return this.improve.proposalFor(feedbackId);
  }

  /** Resolves when the execution has finished or waits for a person (whichever comes first). */
  async waitUntilSettled(id: string): Promise<ExecutionRecord | null> {
    await this.runner.whenSettled(id);
    return this.executions.get(id);
  }

  /** Stops in-flight executions, recording them as interrupted. */
  async shutdown(): Promise<string[]> {
    await this.recovery.stop();
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
