import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Clock } from "../clock.js";
import { type Role, RoleBook } from "../commands/access/roles.js";
import { Directories } from "../commands/directory.js";
import type { ModelPrice } from "../config-llm.js";
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from "../config-scheduler.js";
import type { Database } from "../db/database.js";
import { AgentRepository } from "../db/repositories/agent-repository.js";
import { AuditRepository } from "../db/repositories/audit-repository.js";
import { BudgetRepository } from "../db/repositories/budget-repository.js";
import { DigestRepository } from "../db/repositories/digest-repository.js";
import { EventRepository } from "../db/repositories/event-repository.js";
import { ExecutionRepository } from "../db/repositories/execution-repository.js";
import { FeedbackRepository } from "../db/repositories/feedback-repository.js";
import { GrantRepository } from "../db/repositories/grant-repository.js";
import { IdentityRepository } from "../db/repositories/identity-repository.js";
import { LlmCallRepository } from "../db/repositories/llm-call-repository.js";
import { OrchestratorRunRepository } from "../db/repositories/orchestrator-run-repository.js";
import { ScheduleRepository } from "../db/repositories/schedule-repository.js";
import { TokenRepository } from "../db/repositories/token-repository.js";
import { WorkflowRepository } from "../db/repositories/workflow-repository.js";
import type { ChatModel } from "../llm/chat-model.js";
import type { ProviderHealthSnapshot } from "../llm/provider-health.js";
import type { Logger } from "../logger.js";
import type { SecretStore } from "../secrets/secret-store.js";
import { AccessService } from "./access/access-service.js";
import { type AgentSettings, createAgents, DEFAULT_AGENT_SETTINGS } from "./agents/create-agents.js";
import type { Specialties } from "./agents/specialties.js";
import type { AgentRunner } from "./agents.js";
import { ApprovalDesk, approvalOf } from "./approvals.js";
import { AuditSweeper } from "./audit/audit-sweeper.js";
import { BudgetGuard } from "./budgets/budget-guard.js";
import { DigestDesk } from "./control/digest-desk.js";
import { ModeControl } from "./control/mode.js";
import { ScheduleBook } from "./control/schedule-book.js";
import { OrchestratorSteps } from "./control/steps.js";
import type { DigestDelivery } from "./digest/digest.js";
import { createInsights, type Insights } from "./digest/insights.js";
import { EngineSweep } from "./engine-sweep.js";
import { EventLog } from "./event-log.js";
import type { OrchestratorEventBus } from "./events.js";
import { ExecutionRecovery } from "./recovery.js";
import type { FireDriver } from "./scheduler/job-driver.js";
import type { ToolRegistry } from "./tools/registry.js";
import { WorkflowCatalog } from "./workflow/catalog.js";
import { WorkflowRunner } from "./workflow/runner.js";

/*
 * The orchestrator's parts in dependency order, for create-orchestrator.ts: budgets (shared with
 * the router), the engine (repositories, catalog, runner, recovery, approvals, agents, sweeps) and
 * the control plane (schedules, mode, steps, digests).
 */

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
  /** The providers as one chat model for specialist agents (null without an LLM provider). */
  chat?: ChatModel | null;
  /** Specialties from YAML (default: the shipped file alone). */
  specialties?: Specialties;
  agentSettings?: AgentSettings;
  /** A model's price, for the budget estimate reserved before each agent call. */
  price?: (model: string) => ModelPrice | undefined;
  /** `{{ secrets.NAME }}` values (BATON_SECRET_<NAME>, BATON_SECRETS_FILE); none when absent. */
  secrets?: SecretStore;
  /** Custom roles (BATON_ROLES_FILE) and the first admins (BATON_ADMINS); none: built-in roles, no admins. */
  access?: { roles: readonly Role[]; admins: readonly string[] };
  /** The platforms' directories, registered by the front-ends as they start (grants check ids against them). */
  directories?: Directories;
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

export type Engine = ReturnType<typeof createEngine>;
export type Control = ReturnType<typeof createControl>;

/** Repositories, the workflow engine and its recovery, approvals, and the specialist agents. */
export function createEngine(deps: OrchestratorDeps) {
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
  const recovery = new ExecutionRecovery({
    executions,
    catalog,
    runner,
    tools: deps.tools,
    clock,
    logger,
    owner,
    events,
  });
  const identities = new IdentityRepository(database);
  const tokens = new TokenRepository(database);
  const access = new AccessService({
    tokens,
    grants: new GrantRepository(database),
    identities,
    book: new RoleBook(deps.access?.roles ?? []),
    admins: deps.access?.admins ?? [],
    waitingApprovers: async () =>
      (await executions.list({ status: "waiting", limit: 500 })).flatMap((execution) => {
        const approvers = approvalOf(execution)?.approvers;
        return approvers ? [approvers] : [];
      }),
  });
  const directories = deps.directories ?? new Directories();
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
    access,
    directories,
    identities,
    tokens,
    tools: deps.tools,
    events,
    clock,
    feedback: new FeedbackRepository(database),
    llmCalls: new LlmCallRepository(database),
    agentIds: new AgentRepository(database),
    eventLog: new EventLog(new EventRepository(database), events, clock, logger),
    auditSweeper: new AuditSweeper({ audit, clock, logger, leaseMs }),
    engineSweep: new EngineSweep({ recovery, approvals, pool: agents.pool, clock, logger }),
    isWorkflow: (name: string) => catalog.hints().some((hint) => hint.name === name),
    requiredInputs: (name: string) =>
      (catalog.hints().find((hint) => hint.name === name)?.inputs ?? []).filter((i) => i.required).map((i) => i.name),
  };
}

/** Schedules, the mode, orchestrator steps and digests. */
export function createControl(deps: OrchestratorDeps, engine: Engine) {
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
