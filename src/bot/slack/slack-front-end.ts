import { App, type AppOptions, HTTPReceiver, SocketModeReceiver } from "@slack/bolt";
import type { Clock } from "../../clock.js";
import type { SlackConfig } from "../../config-slack.js";
import type { Logger } from "../../logger.js";
import type { Dispatcher } from "../dispatch.js";
import type { Backoff, PlatformConnection } from "../platform-connection.js";
import type { AccessPolicy, CommandRunner, FrontEndHealth, HttpMount, MessageLog } from "../ports.js";
import { boltLogger } from "./bolt-logger.js";
import { PendingConfirmations } from "./confirmations.js";
import { HomeTab } from "./home-tab.js";
import { SendQueue } from "./send-queue.js";
import { slackConnection } from "./slack-connection.js";
import { SlackDirectory } from "./slack-directory.js";
import { EVENTS_PATH, SlackFrontDoor } from "./slack-front-door.js";
import { SlackHealth } from "./slack-health.js";
import { registerListeners } from "./slack-listeners.js";
import type { PayloadProblem } from "./slack-payload.js";
import { SlackPublisher } from "./slack-publisher.js";
import { PLATFORM } from "./slack-requests.js";
import { SlackWriter } from "./slack-writer.js";
import { socketScreen } from "./socket-screen.js";
import { SlackUserGroups } from "./user-groups.js";
import { UserNames } from "./user-names.js";
import { WorkQueue } from "./work-queue.js";

/** Requests worked on at once after their acks; the rest wait in order (see WorkQueue). */
const WORK_CONCURRENCY = 8;

export interface SlackFrontEndDeps {
  config: SlackConfig;
  dispatcher: Dispatcher;
  /** The home tab's read-only commands. */
  orchestrator: Pick<CommandRunner, "handle">;
  /** Who may see and click what on App Home. */
  access: Pick<AccessPolicy, "identify" | "permitted" | "groupsNamed">;
  frontEndHealth: FrontEndHealth;
  /** Where posts and clicks are recorded (migration 0004). */
  messages: MessageLog;
  clock: Clock;
  logger: Logger;
  timeZone: string;
  /** How long a Confirm/Cancel prompt waits before it counts as cancelled. */
  confirmTimeoutMs?: number;
  backoff?: Backoff;
  /** HTTP mode: the one HTTP server to serve /slack/events on; without it the front-end listens on its own port. */
  http?: HttpMount;
}

/**
 * The Slack front-end: a Bolt app in Socket Mode (SLACK_APP_TOKEN) or HTTP mode
 * (SLACK_SIGNING_SECRET, PORT, /slack/events). Every Web API call goes to SLACK_API_URL when set.
 */
export class SlackFrontEnd {
  readonly mode: "socket" | "http";
  readonly publisher: SlackPublisher;
  /** Slack's people, groups and channels, for grants that name them. */
  readonly directory: SlackDirectory;
  /** Whether requests arrive; reported to status while the front-end runs. */
  readonly health: SlackHealth;
  private readonly app: App;
  private readonly queue: SendQueue;
  private readonly confirmations: PendingConfirmations;
  private readonly work: WorkQueue;
  private readonly config: SlackConfig;
  private readonly frontEndHealth: FrontEndHealth;
  private readonly connection: PlatformConnection;
  /** HTTP mode: the server in front of Bolt's receiver; null in Socket Mode. */
  private readonly door: SlackFrontDoor | null;
  private withdrawHealth: (() => void) | null = null;
  private readonly http: HttpMount | null;
  private ownPort: number | null = null;
  private unmount: (() => void) | null = null;
  /** Resolves once auth.test has succeeded (and, in Socket Mode, the socket is started). */
  readonly started: Promise<void>;
  private startedFlag = false;

  constructor(deps: SlackFrontEndDeps) {
    const { config, logger } = deps;
    this.config = config;
    this.mode = config.appToken ? "socket" : "http";
    this.frontEndHealth = deps.frontEndHealth;
    this.http = deps.http ?? null;
    this.health = new SlackHealth(deps.clock, this.mode);
    const socket = config.appToken ? socketReceiver(config, config.appToken, logger) : null;
    const receiver = socket ?? httpReceiver(config, logger);
    const http = receiver instanceof HTTPReceiver ? receiver : null;
    this.app = new App({ ...appOptions(config, logger), receiver });
    if (socket) watchSocket(socket, this.health);
    const refused = (problem: PayloadProblem, key: string, at: Date) =>
      recordRefusal(deps.dispatcher, problem, key, at);
    this.connection = slackConnection({
      verify: () => this.app.init(),
      watcher: this.health,
      clock: deps.clock,
      logger,
      ...(deps.backoff && { backoff: deps.backoff }),
    });
    this.door = http
      ? new SlackFrontDoor({
          signingSecret: config.signingSecret ?? "",
          receiver: http,
          ready: () => this.connection.verified,
          refused,
          clock: deps.clock,
          logger,
        })
      : null;
    this.started = this.connection.whenVerified
      .then(() => this.startSocket())
      .then(() => {
        this.startedFlag = true;
      });
    this.started.catch((error: unknown) => logger.error("slack socket mode did not start", { error }));
    // Runs for every request Bolt accepted (signed, or from the socket) before its listener.
    this.app.use(async ({ next }) => {
      this.health.event();
      await next();
    });
    // HTTP mode checks shapes in SlackFrontDoor, before Bolt; Socket Mode here, before the listeners.
    if (socket) this.app.use(socketScreen({ refused, clock: deps.clock, logger }));
    this.queue = new SendQueue({ intervalMs: config.sendIntervalMs, clock: deps.clock, logger });
    this.work = new WorkQueue(WORK_CONCURRENCY, (error) => logger.error("slack request failed", { error }));
    this.confirmations = new PendingConfirmations(deps.confirmTimeoutMs ?? 10 * 60_000, deps.clock);
    const log = deps.messages;
    const writer = new SlackWriter({ client: this.app.client, queue: this.queue, log, clock: deps.clock, logger });
    this.publisher = new SlackPublisher(writer, log);
    this.directory = new SlackDirectory(this.app.client);
    const common = { clock: deps.clock, timeZone: deps.timeZone, logger };
    registerListeners(this.app, {
      ...common,
      dispatcher: deps.dispatcher,
      writer,
      confirmations: this.confirmations,
      names: new UserNames(this.app.client, logger),
      groups: new SlackUserGroups({
        client: this.app.client,
        named: () => deps.access.groupsNamed(PLATFORM),
        clock: deps.clock,
        logger,
      }),
      home: new HomeTab({ ...common, orchestrator: deps.orchestrator, access: deps.access, writer }),
      log,
      work: this.work,
    });
    this.app.error(async (error) => {
      logger.error("slack listener failed", { error });
    });
  }

  /** HTTP mode: the port /slack/events is served on (PORT=0 picks a free one); null in Socket Mode. */
  get port(): number | null {
    if (this.door === null) return null;
    return this.http ? this.http.port : this.ownPort;
  }

  get isStarted(): boolean {
    return this.startedFlag;
  }

  /** "slack (socket mode)" / "slack (http :3000)", for status. */
  describe(): string {
    return this.mode === "socket" ? "slack (socket mode)" : `slack (http :${this.port ?? "?"}/slack/events)`;
  }

  /**
   * Listens (HTTP mode) and tries auth.test once. Resolves once started, or once the first try
   * found Slack unreachable: the retries then go on (see `started`) while status shows the outage
   * and HTTP requests get 503. Throws when Slack refuses the token or the port is taken.
   */
  async start(): Promise<void> {
    if (this.door && this.http) this.unmount ??= this.http.mount(EVENTS_PATH, this.door.serve);
    else if (this.door) this.ownPort = await this.door.listen(this.config.port);
    this.withdrawHealth ??= this.frontEndHealth.report("slack", () => this.health.describe());
    if (await this.connection.start()) await this.started;
  }

  /** Socket Mode opens its connection only once auth.test has passed; HTTP mode is already listening. */
  private async startSocket(): Promise<void> {
    if (this.mode !== "socket") return;
    await this.app.start();
  }

  /** Resolves when every acked request has been handed to the dispatcher and answered. */
  idle(): Promise<void> {
    return this.work.drain();
  }

  /** Stops receiving, answers open confirmations with "no", and lets accepted work and queued writes finish. */
  async stop(): Promise<void> {
    this.health.stopped();
    this.withdrawHealth?.();
    this.withdrawHealth = null;
    this.connection.stop();
    this.unmount?.();
    this.unmount = null;
    await this.door?.close();
    if (this.mode === "socket") await this.app.stop().catch(() => undefined);
    this.confirmations.declineAll();
    await this.work.drain();
    await this.queue.drain();
  }
}

/**
 * Writes must not be retried blindly (a retried chat.postMessage can post twice), so the client
 * keeps its retries off and hands 429s to the send queue. Socket Mode's own client still retries
 * apps.connections.open, which is safe, so a socket that drops comes back.
 * @see https://tools.slack.dev/bolt-js/concepts/socket-mode
 */
function appOptions(config: SlackConfig, logger: Logger): AppOptions {
  const log = boltLogger(logger);
  const api = config.apiUrl ? { slackApiUrl: config.apiUrl } : {};
  return {
    token: config.botToken,
    logger: log,
    clientOptions: { ...api, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
    // Acks go out before listeners finish (Slack's 3 s deadline); true is only for FaaS.
    processBeforeResponse: false,
    // auth.test runs in start(), retried until Slack answers: Bolt would cache a failed one for good.
    deferInitialization: true,
  };
}

/** HTTP mode's receiver: SlackFrontDoor feeds it the requests that passed its checks. */
function httpReceiver(config: SlackConfig, logger: Logger): HTTPReceiver {
  return new HTTPReceiver({
    signingSecret: config.signingSecret ?? "",
    endpoints: EVENTS_PATH,
    logger: boltLogger(logger),
    processBeforeResponse: false,
  });
}

/** A refused payload's audit row, through the dispatcher like every other request. */
function recordRefusal(dispatcher: Dispatcher, problem: PayloadProblem, dedupeKey: string, receivedAt: Date) {
  const { salvage } = problem;
  return dispatcher.recordInvalid(
    {
      platform: PLATFORM,
      workspace: salvage.workspace,
      channel: salvage.channel,
      thread: null,
      actor: { id: salvage.actorId ?? "unknown", name: salvage.actorName ?? "unknown", platform: PLATFORM },
      text: salvage.text,
      dedupeKey,
      receivedAt,
    },
    problem,
  );
}

/** Socket Mode's receiver, built here so its client's connection state reaches SlackHealth. */
function socketReceiver(config: SlackConfig, appToken: string, logger: Logger): SocketModeReceiver {
  const api = config.apiUrl ? { slackApiUrl: config.apiUrl } : {};
  return new SocketModeReceiver({
    appToken,
    logger: boltLogger(logger),
    installerOptions: { clientOptions: { ...api } },
  });
}

function watchSocket(receiver: SocketModeReceiver, health: SlackHealth): void {
  receiver.client.on("connected", () => health.connected());
  receiver.client.on("reconnecting", () => health.reconnecting());
  receiver.client.on("disconnected", () => health.reconnecting());
}
