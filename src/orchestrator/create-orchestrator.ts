import type { AuditRepository } from "../db/repositories/audit-repository.js";
import type { DigestRepository } from "../db/repositories/digest-repository.js";
import type { ExecutionRecord } from "../db/repositories/execution-repository.js";
import type { OrchestratorRunRepository } from "../db/repositories/orchestrator-run-repository.js";
import { ProposalRepository } from "../db/repositories/proposal-repository.js";
import type { ScheduleRepository } from "../db/repositories/schedule-repository.js";
import { checkRevoke } from "./access/access-handlers.js";
import { type AccessService, NO_ADMIN_WARNING } from "./access/access-service.js";
import type { AgentsSetup } from "./agents/create-agents.js";
import { ControlLoop } from "./control/control-loop.js";
import type { ControlSnapshot } from "./control/control-results.js";
import { controlSnapshot } from "./control/control-snapshot.js";
import type { DigestDesk } from "./control/digest-desk.js";
import { reportScheduledRuns } from "./control/run-reports.js";
import type { OrchestratorSteps } from "./control/steps.js";
import { type Control, createControl, createEngine, type Engine, type OrchestratorDeps } from "./create-parts.js";
import type { EventLog } from "./event-log.js";
import type { OrchestratorEventBus } from "./events.js";
import { dispatch, type HandlerTable } from "./handlers/handler.js";
import { createHandlerTable } from "./handlers/handler-table.js";
import { executionDetail } from "./handlers/workflow-handlers.js";
import { ImproveService } from "./improve/improve-service.js";
import { PatternOffers } from "./improve/pattern-offers.js";
import { PatternDetector } from "./improve/patterns.js";
import { Orchestrator } from "./orchestrator.js";
import type { ExecutionDetail, Result } from "./results.js";
import type { Scheduler } from "./scheduler/scheduler.js";

export { createBudgets, type OrchestratorBudgets, type OrchestratorDeps } from "./create-parts.js";

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
  /** Who may run what, where (bot/ports.ts `AccessPolicy`). */
  access: AccessService;
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
  const requests = createRequestParts(deps, engine);
  const frontEndHealth = new Map<string, () => string>();
  const handlers = createHandlers(deps, { engine, control, requests, frontEndHealth });
  const loop = new ControlLoop({
    ...control,
    audit: engine.audit,
    clock: deps.clock,
    logger: deps.logger,
    owner: engine.owner,
    driver: deps.fireDriver,
    run: (command, context) => dispatch(handlers, command, context),
    onFired: (scheduleId, outcome) => deps.events.emit("schedule.fired", { scheduleId, outcome }),
    reportRuns: () =>
      reportScheduledRuns({
        events: deps.events,
        detail: (id) => executionDetail(id, engine),
        deliver: {
          digests: control.digests,
          delivery: deps.digestDelivery ?? null,
          clock: deps.clock,
          logger: deps.logger,
          attempts: control.config.digestRetries,
          backoffMs: control.config.digestRetryMs,
        },
        logger: deps.logger,
      }),
  });
  const orchestrator = new Orchestrator({
    ...engine,
    handlers,
    schedules: control.book.schedules,
    controlLoop: loop,
    clock: deps.clock,
    workflowsDir: deps.workflowsDir,
    accessPreflight: async (command, platform) => {
      if (command.type === "access.revoke")
        await checkRevoke(command, platform, { ...engine, now: () => deps.clock.now() });
    },
  });
  return {
    orchestrator,
    audit: engine.audit,
    access: engine.access,
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
      patternOfferFor: (key) => requests.offers.offerFor(key),
      improvementFor: (feedbackId) => requests.improve.proposalFor(feedbackId),
    },
    frontEndHealth: {
      report: (frontEnd, describe) => {
        frontEndHealth.set(frontEnd, describe);
        return () => frontEndHealth.delete(frontEnd);
      },
    },
  };
}

/** What a request leaves behind it: `/improve` proposals being drafted and pattern offers. */
function createRequestParts(deps: OrchestratorDeps, engine: Engine) {
  const improve = new ImproveService({
    ...deps,
    ...engine,
    proposals: new ProposalRepository(deps.database),
    agents: engine.agents.chat ? engine.agents.service : null,
    chat: engine.agents.chat,
  });
  const offers = new PatternOffers({
    detector: new PatternDetector({ database: deps.database, events: deps.events, clock: deps.clock }),
    clock: deps.clock,
    logger: deps.logger,
  });
  return { improve, offers };
}

/** The handler table, each module given what it needs from the parts built before it. */
function createHandlers(
  deps: OrchestratorDeps,
  parts: {
    engine: Engine;
    control: Control;
    requests: ReturnType<typeof createRequestParts>;
    frontEndHealth: ReadonlyMap<string, () => string>;
  },
): HandlerTable {
  const { engine, control, requests } = parts;
  const { clock } = deps;
  return createHandlerTable({
    info: { ...engine, ...statusSources(deps, parts.frontEndHealth), journal: (limit) => journal(control, limit) },
    workflows: engine,
    decisions: {
      ...engine,
      improve: requests.improve,
      budgetChoice: { ...engine.agents, price: engine.price, clock },
    },
    agents: engine.agents,
    budgets: { ...engine.agents, now: () => clock.now() },
    improve: requests.improve,
    control: {
      ...control,
      clock,
      timeZone: deps.timeZone,
      isWorkflow: engine.isWorkflow,
      requiredInputs: engine.requiredInputs,
      minIntervalS: control.config.minIntervalS,
    },
    runLimit: { budgets: engine.agents.budgets, executions: engine.executions, events: deps.events },
    offers: requests.offers,
    access: { ...engine, now: () => clock.now() },
    owner: engine.owner,
    statusParts: [
      async (status) => {
        const [active, feedback] = await Promise.all([
          engine.agents.agents.countActive(),
          requests.improve.awaitingReview(),
        ]);
        return { ...status, agents: { active, feedbackAwaitingReview: feedback.length } };
      },
      async (status) => ({ ...status, control: await controlSnapshot({ ...control, clock }) }),
      async (status) => ({ ...status, warnings: await accessWarnings(engine.access, status.frontEnds) }),
    ],
  });
}

/** Start-up's warning, kept in status: a platform front-end runs and nobody there can administer baton. */
async function accessWarnings(access: AccessService, frontEnds: readonly string[]): Promise<string[]> {
  const platform = frontEnds.some((name) => name.startsWith("slack") || name.startsWith("discord"));
  if (!platform || (await access.platformAdminExists())) return [];
  return [NO_ADMIN_WARNING];
}

/** What status reports about this process: version, start time, database, router and front-ends. */
function statusSources(deps: OrchestratorDeps, frontEndHealth: ReadonlyMap<string, () => string>) {
  const startedAt = deps.clock.now();
  return {
    providerHealth: deps.providerHealth ?? (() => []),
    timeZone: deps.timeZone,
    now: () => deps.clock.now(),
    info: () => ({
      ...deps.info,
      startedAt,
      database: { dialect: deps.database.dialect, location: deps.database.location },
      frontEndHealth: [...frontEndHealth.values()].map((describe) => describe()),
    }),
  };
}

/** `history orchestrator`: the decision journal, recent orchestrator steps with their decisions. */
async function journal(control: Control, limit: number): Promise<Result> {
  return { type: "orchestrator.journal", runs: await control.runs.recent(limit) };
}
