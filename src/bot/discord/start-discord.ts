import type { Clock } from "../../clock.js";
import type { DiscordConfig } from "../../config-discord.js";
import type { Logger } from "../../logger.js";
import type { Orchestrator } from "../../orchestrator/orchestrator.js";
import type { ChannelPublisher } from "../chat.js";
import type { Dispatcher } from "../dispatch.js";
import { DiscordAdapter } from "./discord-adapter.js";

export interface DiscordFrontEnd {
  /** Posts to Discord channels outside a request; null without a bot token (HTTP endpoint only). */
  publisher: ChannelPublisher | null;
  /** Disconnects the gateway and stops answering; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts Discord as configured: the gateway client when DISCORD_TOKEN is set, and reports its
 * health to status. (The HTTP interactions endpoint joins here when DISCORD_PUBLIC_KEY is set.)
 */
export async function startDiscord(
  config: DiscordConfig,
  deps: { dispatcher: Dispatcher; orchestrator: Orchestrator; clock: Clock; logger: Logger },
): Promise<DiscordFrontEnd> {
  const stops: Array<() => Promise<void> | void> = [];
  let publisher: ChannelPublisher | null = null;
  const token = config.token;
  if (token !== null) {
    const adapter = new DiscordAdapter({ ...deps, config: { ...config, token } });
    await adapter.start();
    const withdraw = deps.orchestrator.reportFrontEndHealth("discord", () => adapter.health.describe());
    stops.push(withdraw, () => adapter.stop());
    publisher = adapter.publisher();
    deps.logger.info("discord gateway connected", { guild: config.guildId ?? "global commands" });
  }
  let stopping: Promise<void> | null = null;
  return {
    publisher,
    stop: () => {
      stopping ??= (async () => {
        for (const stop of stops.reverse()) await stop();
      })();
      return stopping;
    },
  };
}
