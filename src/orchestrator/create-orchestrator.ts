import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Clock } from "../clock.js";
import type { ModelPrice } from "../config-llm.js";
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from "../config-scheduler.js";
import type { Database } from "../db/database.js";
import { AgentRepository } from "../db/repositories/agent-repository.js";
import { AuditRepository } from "../db/repositories/audit-repository.js";
import { BudgetRepository } from "../db/repositories/budget-repository.js";
import { DigestRepository } from "../db/repositories/digest-repository.js";
import { EventRepository } from "../db/repositories/event-repository.js";
import { type ExecutionRecord, ExecutionRepository } from "../db/repositories/execution-repository.js";
import { FeedbackRepository } from "../db/repositories/feedback-repository.js";
import { LlmCallRepository } from "../db/repositories/llm-call-repository.js";
import { OrchestratorRunRepository } from "../db/repositories/orchestrator-run-repository.js";
import { ProposalRepository } from "../db/repositories/proposal-repository.js";
import { ScheduleRepository } from "../db/repositories/schedule-repository.js";
import { WorkflowRepository } from "../db/repositories/workflow-repository.js";
import type { ChatModel } from "../llm/chat-model.js";
import type { ProviderHealthSnapshot } from "../llm/provider-health.js";
import type { Logger } from "../logger.js";
import type { SecretStore } from "../secrets/secret-store.js";
import { type AgentSettings, type AgentsSetup, createAgents, DEFAULT_AGENT_SETTINGS } from "./agents/create-agents.js";
import type { Specialties } from "./agents/specialties.js";
import type { AgentRunner } from "./agents.js";
import { ApprovalDesk } from "./approvals.js";
import { AuditSweeper } from "./audit/audit-sweeper.js";
import { BudgetGuard } from "./budgets/budget-guard.js";
import { ControlLoop } from "./control/control-loop.js";
import type { ControlSnapshot } from "./control/control-results.js";
import { controlSnapshot } from "./control/control-snapshot.js";
import { DigestDesk } from "./control/digest-desk.js";
import { ModeControl } from "./control/mode.js";
import { ScheduleBook } from "./control/schedule-book.js";
import { OrchestratorSteps } from "./control/steps.js";
import type { DigestDelivery } from "./digest/digest.js";
import { createInsights, type Insights } from "./digest/insights.js";
import { EngineSweep } from "./engine-sweep.js";
import { EventLog } from "./event-log.js";
import type { OrchestratorEventBus } from "./events.js";
import { dispatch } from "./handlers/handler.js";
import { createHandlerTable } from "./handlers/handler-table.js";
import { executionDetail } from "./handlers/workflow-handlers.js";
import { ImproveService } from "./improve/improve-service.js";
import { PatternOffers } from "./improve/pattern-offers.js";
import { PatternDetector } from "./improve/patterns.js";
import { Orchestrator } from "./orchestrator.js";
import { ExecutionRecovery } from "./recovery.js";
import type { ExecutionDetail } from "./results.js";
import type { FireDriver } from "./scheduler/job-driver.js";
import type { Scheduler } from "./scheduler/scheduler.js";
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
  /** The bus the engine, agents and budgets report to (built first: the router's budgets report there too). */
  events: OrchestratorEventBus;
  /** Budgets and their guard, shared with the router's calls (see `createBudgets`). */
  budgets: OrchestratorBudgets;
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
  /** Waits between digest delivery attempts (tests pass a fast one). */
  sleep?: (ms: number) => Promise<void>;
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

export interface OrchestratorBudgets {
  budgets: BudgetRepository;
  guard: BudgetGuard;
}

/** Budgets come first: the router's calls and the agents' calls reserve against the same guard. */
export function createBudgets(deps: {
  database: Database;
  events: OrchestratorEventBus;
  clock: Clock;
  logger: Logger;
  timeZone: string;
}): OrchestratorBudgets {
  const budgets = new BudgetRepository(deps.database);
  return { budgets, guard: new BudgetGuard({ ...deps, budgets }) };
}

/** What the composition root hands on: the orchestrator, and the narrow parts front-ends and tests use. */
export interface OrchestratorSetup {
  orchestrator: Orchestrator;
  audit: AuditRepository;
  events: OrchestratorEventBus;
  /** Persists the events to the `events` table (the digest and pattern detection read it). */
  eventLog: EventLog;
  agents: AgentsSetup;
  scheduler: Scheduler;
  digestDesk: DigestDesk;
  steps: OrchestratorSteps;
  control: () => Promise<ControlSnapshot>;
  rows: { schedules: ScheduleRepository; digests: DigestRepository; runs: OrchestratorRunRepository };
  /** What a request leaves running after its reply (bot/ports.ts `FollowUps`). */
  followUps: {
    events: OrchestratorEventBus;
    waitUntilSettled(id: string): Promise<ExecutionRecord | null>;
    executionDetail(id: string): Promise<ExecutionDetail>;
    patternOfferFor: PatternOffers["offerFor"];
    improvementFor: ImproveService["proposalFor"];
  };
  /** Front-ends report how they are doing, for status (bot/ports.ts `FrontEndHealth`). */
  frontEndHealth: { report(frontEnd: string, describe: () => string): () => void };
}

/**
 * The composition root of the orchestrator: repositories, then the engine, agents and control
 * plane, then the handler table, then what runs on its own (sweeps, schedules) — each built once,
 * in dependency order, with everything it needs.
 */
export function createOrchestrator(deps: OrchestratorDeps): OrchestratorSetup {
  const engine = createEngine(deps);
  const control = createControl(deps, engine);
  const improve = new ImproveService({
    ...deps,
    ...engine,
    feedback: engine.feedback,
    proposals: new ProposalRepository(deps.database),
    agents: engine.agents.chat ? engine.agents.service : null,
    chat: engine.agents.chat,
  });
  const offers = new PatternOffers({
    detector: new PatternDetector({ database: deps.database, events: deps.events, clock: deps.clock }),
    clock: deps.clock,
    logger: deps.logger,
  });
  const frontEndHealth = new Map<string, () => string>();
  const startedAt = deps.clock.now();
  const handlers = createHandlerTable({
    info: {
      ...engine,
      providerHealth: deps.providerHealth ?? (() => []),
      timeZone: deps.timeZone,
      now: () => deps.clock.now(),
      info: () => ({
        ...deps.info,
        startedAt,
        database: { dialect: deps.database.dialect, location: deps.database.location },
        frontEndHealth: [...frontEndHealth.values()].map((describe) => describe()),
      }),
      journal: async (limit) => ({ type: "orchestrator.journal", runs: await control.runs.recent(limit) }),
    },
    workflows: engine,
    decisions: {
      ...engine,
      clock: deps.clock,
      improve,
      budgetChoice: { ...engine.agents, price: engine.price, clock: deps.clock },
    },
    agents: engine.agents,
    budgets: { ...engine.agents, now: () => deps.clock.now() },
    improve,
    control: {
      ...control,
      clock: deps.clock,
      timeZone: deps.timeZone,
      isWorkflow: engine.isWorkflow,
      minIntervalS: control.config.minIntervalS,
    },
    runLimit: { budgets: engine.agents.budgets, executions: engine.executions, events: deps.events },
    offers,
    statusParts: [
      async (status) => {
        const [active, feedback] = await Promise.all([engine.agents.agents.countActive(), improve.awaitingReview()]);
        return { ...status, agents: { active, feedbackAwaitingReview: feedback.length } };
      },
      async (status) => ({ ...status, control: await controlSnapshot({ ...control, clock: deps.clock }) }),
    ],
  });
  const loop = new ControlLoop({
    ...control,
    audit: engine.audit,
    clock: deps.clock,
    logger: deps.logger,
    owner: engine.owner,
    driver: deps.fireDriver,
    run: (command, context) => dispatch(handlers, command, context),
  });
  const orchestrator = new Orchestrator({
    ...engine,
    handlers,
    schedules: control.book.schedules,
    controlLoop: loop,
    clock: deps.clock,
    workflowsDir: deps.workflowsDir,
  });
  return {
    orchestrator,
    audit: engine.audit,
    events: deps.events,
    eventLog: engine.eventLog,
    agents: engine.agents,
    scheduler: loop.scheduler,
    digestDesk: control.digestDesk,
    steps: control.steps,
    control: () => controlSnapshot({ ...control, clock: deps.clock }),
    rows: { schedules: control.book.schedules, digests: control.digests, runs: control.runs },
    followUps: {
      events: deps.events,
      waitUntilSettled: async (id) => (await engine.runner.whenSettled(id)) ?? engine.executions.get(id),
      executionDetail: (id) => executionDetail(id, engine),
      patternOfferFor: (key) => offers.offerFor(key),
      improvementFor: (feedbackId) => improve.proposalFor(feedbackId),
    },
    frontEndHealth: {
      report: (frontEnd, describe) => {
        frontEndHealth.set(frontEnd, describe);
        return () => frontEndHealth.delete(frontEnd);
      },
    },
  };
}

type Engine = ReturnType<typeof createEngine>;

/** Repositories, the workflow engine and its recovery, approvals, and the specialist agents. */
function createEngine(deps: OrchestratorDeps) {
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const leaseMs = deps.leaseMs ?? 60_000;
  const { clock, logger, database, events } = deps;
  const audit = new AuditRepository(database, { owner, leaseMs, clock });
  const executions = new ExecutionRepository(database);
  const catalog = new WorkflowCatalog(new WorkflowRepository(database), deps.tools, clock, logger);
  const price = deps.price ?? (() => undefined);
  const agents = createAgents({
    ...deps,
    ...deps.budgets,
    executions,
    audit,
    chat: deps.chat ?? null,
    price,
    settings: deps.agentSettings,
  });
  const runner = new WorkflowRunner({
    executions,
    tools: deps.tools,
    events,
    clock,
    logger,
    owner,
    leaseMs,
    agents: deps.chat ? agents.service : (deps.agents ?? null),
    subWorkflows: { catalog, executions, clock, owner },
    ...(deps.secrets && { secrets: deps.secrets }),
  });
  const recovery = new ExecutionRecovery({ executions, catalog, runner, tools: deps.tools, clock, logger, owner });
  const approvals = new ApprovalDesk({ executions, recovery, catalog, audit, clock, logger });
  return {
    owner,
    leaseMs,
    audit,
    executions,
    catalog,
    agents,
    price,
    runner,
    recovery,
    approvals,
    tools: deps.tools,
    events,
    clock,
    feedback: new FeedbackRepository(database),
    llmCalls: new LlmCallRepository(database),
    agentIds: new AgentRepository(database),
    eventLog: new EventLog(new EventRepository(database), events, clock, logger),
    auditSweeper: new AuditSweeper({ audit, logger, leaseMs }),
    engineSweep: new EngineSweep({ recovery, approvals, pool: agents.pool, clock, logger }),
    isWorkflow: (name: string) => catalog.hints().some((hint) => hint.name === name),
  };
}

/** Schedules, the mode, orchestrator steps and digests. */
function createControl(deps: OrchestratorDeps, engine: Engine) {
  const { database, clock, logger } = deps;
  const config = deps.scheduler ?? DEFAULT_SCHEDULER_CONFIG;
  const schedules = new ScheduleRepository(database);
  const runs = new OrchestratorRunRepository(database);
  const digests = new DigestRepository(database);
  const insights = createEngineInsights(deps, engine);
  const modes = new ModeControl(runs, clock);
  const book = new ScheduleBook({
    schedules,
    clock,
    logger,
    timeZone: deps.timeZone,
    schedulesFile: config.schedulesFile,
    minIntervalS: config.minIntervalS,
    isWorkflow: engine.isWorkflow,
  });
  const digestDesk = new DigestDesk({
    digests,
    executions: engine.executions,
    schedules,
    runs,
    insights,
    delivery: deps.digestDelivery ?? null,
    clock,
    logger,
    timeZone: deps.timeZone,
    attempts: config.digestRetries,
    backoffMs: config.digestRetryMs,
    ...(deps.sleep && { sleep: deps.sleep }),
  });
  const steps = new OrchestratorSteps({
    modes,
    executions: engine.executions,
    digests,
    runs,
    schedules,
    clock,
    sweep: () => engine.engineSweep.sweep(),
    insights,
    maxActions: config.stepMaxActions,
  });
  return { config, runs, digests, modes, book, digestDesk, steps };
}

function createEngineInsights(deps: OrchestratorDeps, engine: Engine): Insights {
  const { agents } = engine;
  return createInsights({
    budgets: agents.budgets,
    feedback: engine.feedback,
    events: new EventRepository(deps.database),
    agents: agents.agents,
    today: () => agents.guard.today(),
    now: () => deps.clock.now(),
    idleMs: (deps.agentSettings ?? DEFAULT_AGENT_SETTINGS).idleMs,
    retireIdle: () => agents.pool.retireIdle(),
  });
}
