import type { ChannelPublisher } from "./bot/chat.js";
import { PublisherDigestDelivery } from "./bot/digest-delivery.js";
import { Dispatcher } from "./bot/dispatch.js";
import type { MessageLog } from "./bot/ports.js";
import type { Reply } from "./bot/reply.js";
import { type Clock, systemClock } from "./clock.js";
import { Directories, type Directory } from "./commands/directory.js";
import { type Config, ConfigError } from "./config.js";
import { type Hook, resolveHookSecrets } from "./config-hooks.js";
import { type Database, openDatabase } from "./db/database.js";
import { migrationsCurrent } from "./db/migration-list.js";
import type { AuditRepository } from "./db/repositories/audit-repository.js";
import { EventRepository } from "./db/repositories/event-repository.js";
import { ExecutionRepository } from "./db/repositories/execution-repository.js";
import { LlmCallRepository } from "./db/repositories/llm-call-repository.js";
import { SlackMessageRepository } from "./db/repositories/slack-message-repository.js";
import type { Logger } from "./logger.js";
import { NO_ADMIN_WARNING } from "./orchestrator/access/access-service.js";
import { loadSpecialties } from "./orchestrator/agents/specialties.js";
import { createBudgets, createOrchestrator, type OrchestratorSetup } from "./orchestrator/create-orchestrator.js";
import { EventBus, type OrchestratorEventBus, type OrchestratorEvents } from "./orchestrator/events.js";
import type { Orchestrator } from "./orchestrator/orchestrator.js";
import type { FireDriver } from "./orchestrator/scheduler/job-driver.js";
import type { Resolver } from "./orchestrator/tools/egress/egress-policy.js";
import { createBuiltinTools } from "./orchestrator/tools/registry.js";
import { createRouter } from "./routing/create-router.js";
import { loadSecretStore } from "./secrets/secret-store.js";
import { packageVersion } from "./version.js";

/** The parts of the orchestrator front-ends, operators and tests use, by name (no repositories behind them). */
type AppParts =
  | "events"
  | "eventLog"
  | "agents"
  | "scheduler"
  | "digestDesk"
  | "steps"
  | "control"
  | "followUps"
  | "frontEndHealth"
  | "access";

export interface App extends Pick<OrchestratorSetup, AppParts> {
  config: Config;
  database: Database;
  /** `handle` and `preflight`: the one way a command runs. */
  orchestrator: Orchestrator;
  dispatcher: Dispatcher;
  clock: Clock;
  logger: Logger;
  /** Where the Slack front-end records what it posted (src/bot/ports.ts `MessageLog`). */
  messages: MessageLog;
  /** What operators and tests read: the rows baton keeps. */
  rows: OrchestratorSetup["rows"] & { audit: AuditRepository; llmCalls: LlmCallRepository };
  /** Lets digests and other posts outside a request reach a platform once its front-end is up. */
  registerPublisher(publisher: ChannelPublisher): void;
  /** Posts a reply to a channel through that platform's registered publisher (webhook results). */
  publish(
    target: { platform: string; channel: string },
    reply: Reply,
    options: { idempotencyKey: string },
  ): Promise<void>;
  /** BATON_HOOKS_FILE's webhooks with their secrets resolved (POST /hooks/{name}). */
  hooks: readonly Hook[];
  /** Registers a chat front-end's directory (grants check ids against it); the returned function withdraws it. */
  registerDirectory(platform: string, directory: Directory): () => void;
  /** How many executions there are in each status (metrics). */
  executionCounts(): Promise<Record<string, number>>;
  /** The events table from an event id on: the REST API's event stream reads it. */
  eventFeed: EventRepository;
  /** For /readyz: null when the database answers and its migrations are current, else what is wrong. */
  databaseProblems(): Promise<{ database: string | null; migrations: string | null }>;
  /** Stops in-flight work (recorded as interrupted) and closes the database. Safe to call twice. */
  close(options?: { graceMs?: number }): Promise<void>;
}

/**
 * The composition root (DESIGN.md layout): config → db → llm → orchestrator → dispatcher.
 * Front-ends attach to the returned dispatcher; the scheduler issue adds itself here.
 */
export async function createApp(
  config: Config,
  logger: Logger,
  options: {
    clock?: Clock;
    frontEnds?: string[];
    recover?: boolean;
    resume?: boolean;
    /** Run schedules and continuous steps (default: with `resume`, i.e. in long-running processes). */
    schedule?: boolean;
    /** Posting outside a request, one per platform (scheduled digests). */
    publishers?: ChannelPublisher[];
    fireDriver?: FireDriver;
    /** How the http tools resolve host names (default: the system resolver); tests play DNS with it. */
    resolver?: Resolver;
  } = {},
): Promise<App> {
  const clock = options.clock ?? systemClock;
  // Before the database opens: a bad specialties file stops start-up with one sentence.
  const specialties = loadSpecialties(config.agents.specialtiesFile);
  const secrets = loadSecretStore(config.secrets);
  const hooks = resolveHookSecrets(config.hooks, secrets);
  if (hooks.problems.length > 0) throw new ConfigError(hooks.problems);
  const database = await openDatabase({
    url: config.databaseUrl,
    logger,
    busyTimeoutMs: config.busyTimeoutMs,
    logSql: config.logLevel === "debug",
  });
  const events: OrchestratorEventBus = new EventBus<OrchestratorEvents>();
  const budgets = createBudgets({ database, events, clock, logger, timeZone: config.timeZone });
  const llmCalls = new LlmCallRepository(database);
  const routing = await createRouter(config.llm, {
    // Every call the router and the agents make is recorded, then told to the bus (metrics).
    ledger: {
      record: async (call) => {
        try {
          await llmCalls.record(call);
        } finally {
          events.emit("llm.called", call);
        }
      },
    },
    clock,
    logger,
    threshold: config.routerThreshold,
    budgets: { guard: budgets.guard, outputTokens: config.agents.estimateOutputTokens },
  });
  const delivery = new PublisherDigestDelivery(
    options.publishers ?? [],
    { clock, timeZone: config.timeZone },
    (platform, outcome) => events.emit("digest.delivered", { platform, outcome }),
  );
  const directories = new Directories();
  const built = createOrchestrator({
    database,
    events,
    budgets,
    tools: createBuiltinTools({
      egress: { allow: config.egress.allow, ...(options.resolver && { resolver: options.resolver }) },
      maxRequestsPerRun: config.egress.maxRequestsPerRun,
    }),
    clock,
    logger,
    workflowsDir: config.workflowsDir,
    timeZone: config.timeZone,
    info: { version: packageVersion(), router: routing.description, frontEnds: options.frontEnds ?? [] },
    providerHealth: routing.health,
    chat: routing.chat,
    price: routing.price,
    specialties,
    agentSettings: config.agents,
    leaseMs: config.leaseMs,
    scheduler: config.scheduler,
    digestDelivery: delivery,
    secrets,
    access: { roles: config.roles, admins: config.admins },
    directories,
    ...(options.fireDriver && { fireDriver: options.fireDriver }),
  });
  const { orchestrator } = built;
  const executions = new ExecutionRepository(database);
  try {
    await orchestrator.start({
      recover: options.recover ?? true,
      resume: options.resume ?? true,
      schedule: options.schedule ?? options.resume ?? true,
    });
  } catch (error) {
    await database.close();
    throw error;
  }
  const dispatcher = new Dispatcher({
    commands: orchestrator,
    audit: built.audit,
    followUps: built.followUps,
    router: routing.router,
    access: built.access,
    clock,
    logger,
    timeZone: config.timeZone,
    threadTurns: config.llm.threadTurns,
    maxInputChars: config.maxInputChars,
  });
  if ((config.slack || config.discord) && !(await built.access.platformAdminExists())) logger.warn(NO_ADMIN_WARNING);
  let closing: Promise<void> | null = null;
  const close = (closeOptions: { graceMs?: number } = {}) => {
    closing ??= shutdown({ orchestrator, dispatcher, database, logger }, closeOptions.graceMs ?? 0);
    return closing;
  };
  const registerPublisher = (publisher: ChannelPublisher) => delivery.register(publisher);
  const registerDirectory = (platform: string, directory: Directory) => directories.register(platform, directory);
  return {
    config,
    database,
    orchestrator,
    dispatcher,
    clock,
    logger,
    close,
    registerPublisher,
    publish: async (target, reply, publishOptions) => void (await delivery.post(reply, target, publishOptions)),
    hooks: hooks.hooks,
    registerDirectory,
    databaseProblems: () => databaseProblems(database),
    eventFeed: new EventRepository(database),
    executionCounts: () => executions.countByStatus(),
    ...pick(built, [
      "events",
      "eventLog",
      "agents",
      "scheduler",
      "digestDesk",
      "steps",
      "control",
      "followUps",
      "frontEndHealth",
      "access",
    ]),
    messages: new SlackMessageRepository(database),
    rows: { ...built.rows, audit: built.audit, llmCalls },
  };
}

async function databaseProblems(database: Database): Promise<{ database: string | null; migrations: string | null }> {
  try {
    await database.raw.get("SELECT 1 AS one", []);
  } catch {
    // The reason stays in baton's log (the query's own error); /readyz is unauthenticated.
    return { database: "the database does not answer", migrations: "unknown" };
  }
  const current = await migrationsCurrent(database.sequelize);
  return { database: null, migrations: current ? null : "migrations are pending; run `baton migrate`" };
}

function pick<T, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, from[key]])) as Pick<T, K>;
}

async function shutdown(
  app: { orchestrator: Orchestrator; dispatcher: Dispatcher; database: Database; logger: Logger },
  graceMs: number,
): Promise<void> {
  if (graceMs > 0) {
    const drained = await Promise.race([app.dispatcher.drain().then(() => true), delay(graceMs).then(() => false)]);
    if (!drained) app.logger.warn("in-flight work did not finish in time; recording it as interrupted", { graceMs });
  }
  try {
    const interrupted = await app.orchestrator.shutdown();
    if (interrupted.length > 0) app.logger.warn("interrupted executions", { interrupted });
  } catch (error) {
    app.logger.error("could not record in-flight executions as interrupted", { error });
  }
  // Requests still open finish their audit rows now that their executions have stopped.
  const settled = await Promise.race([app.dispatcher.drain().then(() => true), delay(5000).then(() => false)]);
  if (!settled) app.logger.warn("some requests were still open at shutdown");
  await app.database.writes.drain();
  await app.database.close();
}

/**
 * Shutdown's deadlines are the process's own, so they run on the system clock even when a test
 * injects a fake one: a fake clock nobody advances would otherwise hold close() forever.
 */
function delay(ms: number): Promise<void> {
  // A timer, not sleep(): clock timers are unref'd, so a deadline never keeps the process alive.
  return new Promise((resolve) => systemClock.setTimeout(resolve, ms));
}
