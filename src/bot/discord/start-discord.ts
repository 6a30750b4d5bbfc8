import { REST } from "discord.js";
import type { Clock } from "../../clock.js";
import type { Directory } from "../../commands/directory.js";
import type { DiscordConfig } from "../../config-discord.js";
import type { Logger } from "../../logger.js";
import type { ChannelPublisher } from "../chat.js";
import type { Dispatcher } from "../dispatch.js";
import type { FrontEndHealth, HttpMount } from "../ports.js";
import { PendingConfirmations } from "./confirmations.js";
import { DiscordAdapter } from "./discord-adapter.js";
import { DiscordDirectory } from "./discord-directory.js";
import { DiscordHandler } from "./discord-handler.js";
import { INTERACTIONS_PATH, INTERACTIONS_PATHS, InteractionsEndpoint } from "./interactions-endpoint.js";

export interface DiscordFrontEnd {
  /** Posts to Discord channels outside a request; null without a bot token (HTTP endpoint only). */
  publisher: ChannelPublisher | null;
  /** Discord's users, roles and channels, for grants that name them; null without a bot token. */
  directory: Directory | null;
  /** The port the HTTP interactions endpoint listens on; null when it is not running. */
  interactionsPort: number | null;
  /** For /readyz: the gateway is connected (true when only the HTTP endpoint runs). */
  ready(): boolean;
  /** Disconnects the gateway and stops answering; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts Discord as configured: the gateway client when DISCORD_TOKEN is set (its health goes to
 * status), and the HTTP interactions endpoint when DISCORD_PUBLIC_KEY is set.
 */
export async function startDiscord(
  config: DiscordConfig,
  deps: {
    dispatcher: Dispatcher;
    frontEndHealth: FrontEndHealth;
    /** Times everything the front-end waits for, its connection retries included (tests drive it). */
    clock: Clock;
    logger: Logger;
    /** The one HTTP server to serve the interactions endpoint on; without it the endpoint listens on its own port. */
    http?: HttpMount;
  },
): Promise<DiscordFrontEnd> {
  const stops: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  let publisher: ChannelPublisher | null = null;
  let directory: Directory | null = null;
  let rest = new REST(config.apiUrl ? { api: config.apiUrl } : {});
  let confirmations = new PendingConfirmations(deps.clock);
  let interactionsPort: number | null = null;
  let ready = () => true;
  try {
    const token = config.token;
    if (token !== null) {
      const adapter = new DiscordAdapter({ ...deps, config: { ...config, token } });
      // Reported before the first try, so an outage at start shows in status while it is retried.
      stops.push(
        deps.frontEndHealth.report("discord", () => adapter.health.describe()),
        () => adapter.stop(),
      );
      const connected = () =>
        deps.logger.info("discord gateway connected", { guild: config.guildId ?? "global commands" });
      if (await adapter.start()) connected();
      else {
        deps.logger.warn("discord unreachable at start; retrying with backoff");
        void adapter.connected.then(connected);
      }
      ready = () => adapter.health.isReady();
      publisher = adapter.publisher();
      directory = new DiscordDirectory(adapter.client);
      rest = adapter.client.rest;
      confirmations = adapter.confirmations;
    }
    if (config.publicKey !== null) {
      const handler = new DiscordHandler({
        ...deps,
        rest,
        applicationId: config.applicationId,
        confirmations,
        botToken: token !== null,
      });
      const endpoint = new InteractionsEndpoint({
        publicKey: config.publicKey,
        handler,
        clock: deps.clock,
        logger: deps.logger,
      });
      if (deps.http) {
        const http = deps.http;
        const unmounts = INTERACTIONS_PATHS.map((path) => http.mount(path, endpoint.serve));
        stops.push(() => {
          for (const unmount of unmounts) unmount();
        });
        interactionsPort = http.port ?? config.interactionsPort;
      } else {
        interactionsPort = await endpoint.listen(config.interactionsPort);
        stops.push(() => endpoint.close());
      }
      stops.push(() => confirmations.declineAll());
      deps.logger.info("discord interactions endpoint ready", { port: interactionsPort, path: INTERACTIONS_PATH });
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  let stopping: Promise<void> | null = null;
  return {
    publisher,
    directory,
    interactionsPort,
    ready: () => ready(),
    stop: () => {
      stopping ??= stopAll();
      return stopping;
    },
  };
}
