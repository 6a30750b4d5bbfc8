import type { AddressInfo } from "node:net";
import { App, type AppOptions, SocketModeReceiver } from "@slack/bolt";
import type { Clock } from "../../clock.js";
import type { SlackConfig } from "../../config-slack.js";
import type { Database } from "../../db/database.js";
import { SlackMessageRepository } from "../../db/repositories/slack-message-repository.js";
import type { Logger } from "../../logger.js";
import type { Orchestrator } from "../../orchestrator/orchestrator.js";
import type { Dispatcher } from "../dispatch.js";
import { boltLogger } from "./bolt-logger.js";
import { PendingConfirmations } from "./confirmations.js";
import { HomeTab } from "./home-tab.js";
import { SendQueue } from "./send-queue.js";
import { SlackHealth } from "./slack-health.js";
import { registerListeners } from "./slack-listeners.js";
import { SlackPublisher } from "./slack-publisher.js";
import { SlackWriter } from "./slack-writer.js";
import { UserNames } from "./user-names.js";
import { WorkQueue } from "./work-queue.js";

/** Requests worked on at once after their acks; the rest wait in order (see WorkQueue). */
const WORK_CONCURRENCY = 8;

export interface SlackFrontEndDeps {
  config: SlackConfig;
  dispatcher: Dispatcher;
  orchestrator: Orchestrator;
  database: Database;
  clock: Clock;
  logger: Logger;
  timeZone: string;
  /** How long a Confirm/Cancel prompt waits before it counts as cancelled. */
  confirmTimeoutMs?: number;
}

/**
 * The Slack front-end: a Bolt app in Socket Mode (SLACK_APP_TOKEN) or HTTP mode
 * (SLACK_SIGNING_SECRET, PORT, /slack/events). Every Web API call goes to SLACK_API_URL when set.
 */
export class SlackFrontEnd {
  readonly mode: "socket" | "http";
  readonly publisher: SlackPublisher;
  /** Whether requests arrive; reported to status while the front-end runs. */
  readonly health: SlackHealth;
  private readonly app: App;
  private readonly queue: SendQueue;
  private readonly confirmations: PendingConfirmations;
  private readonly work: WorkQueue;
  private readonly config: SlackConfig;
  private readonly orchestrator: Orchestrator;
  private withdrawHealth: (() => void) | null = null;
  /** HTTP mode: the port actually listened on (PORT=0 picks a free one). */
  port: number | null = null;

  constructor(deps: SlackFrontEndDeps) {
    const { config, logger } = deps;
    this.config = config;
    this.mode = config.appToken ? "socket" : "http";
    this.orchestrator = deps.orchestrator;
    this.health = new SlackHealth(deps.clock, this.mode);
    const socket = config.appToken ? socketReceiver(config, config.appToken, logger) : null;
    this.app = new App({ ...appOptions(config, logger), ...(socket && { receiver: socket }) });
    if (socket) watchSocket(socket, this.health);
    // Runs for every request Bolt accepted (signed, or from the socket) before its listener.
    this.app.use(async ({ next }) => {
      this.health.event();
      await next();
    });
    this.queue = new SendQueue({ intervalMs: config.sendIntervalMs, logger });
    this.work = new WorkQueue(WORK_CONCURRENCY, (error) => logger.error("slack request failed", { error }));
    this.confirmations = new PendingConfirmations(deps.confirmTimeoutMs ?? 10 * 60_000);
    const log = new SlackMessageRepository(deps.database);
    const writer = new SlackWriter({ client: this.app.client, queue: this.queue, log, clock: deps.clock, logger });
    this.publisher = new SlackPublisher(writer, log);
    const common = { clock: deps.clock, timeZone: deps.timeZone, logger };
    registerListeners(this.app, {
      ...common,
      dispatcher: deps.dispatcher,
      writer,
      confirmations: this.confirmations,
      names: new UserNames(this.app.client, logger),
      home: new HomeTab({ ...common, orchestrator: deps.orchestrator, writer }),
      log,
      work: this.work,
    });
    this.app.error(async (error) => {
      logger.error("slack listener failed", { error });
    });
  }

  /** "slack (socket mode)" / "slack (http :3000)", for status. */
  describe(): string {
    return this.mode === "socket" ? "slack (socket mode)" : `slack (http :${this.port ?? "?"}/slack/events)`;
  }

  async start(): Promise<void> {
    if (this.mode === "socket") {
      await this.app.start();
    } else {
      const server = await this.app.start(this.config.port);
      this.port = (server.address() as AddressInfo).port;
    }
    this.withdrawHealth ??= this.orchestrator.reportFrontEndHealth("slack", () => this.health.describe());
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
    await this.app.stop().catch(() => undefined);
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
  const common: AppOptions = {
    token: config.botToken,
    logger: log,
    clientOptions: { ...api, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
    // Acks go out before listeners finish (Slack's 3 s deadline); true is only for FaaS.
    processBeforeResponse: false,
  };
  if (config.appToken) return { ...common, socketMode: true, appToken: config.appToken };
  return { ...common, signingSecret: config.signingSecret ?? "", endpoints: "/slack/events" };
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
