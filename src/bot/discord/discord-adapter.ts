import { once } from "node:events";
import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  type Message,
  Partials,
} from "discord.js";
import type { Clock } from "../../clock.js";
import type { DiscordConfig } from "../../config-discord.js";
import { BatonError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { ChannelPublisher } from "../chat.js";
import type { Dispatcher } from "../dispatch.js";
import { PendingConfirmations } from "./confirmations.js";
import { registerCommands } from "./discord-commands.js";
import { DiscordHandler, type IncomingMessage } from "./discord-handler.js";
import {
  fromButtonInteraction,
  fromCommandInteraction,
  type IncomingInteraction,
  placeOf,
} from "./discord-interaction.js";
import { DiscordPublisher } from "./discord-publisher.js";
import { GatewayHealth } from "./gateway-health.js";
import { InteractionResponder } from "./interaction-responder.js";

export interface DiscordAdapterOptions {
  config: DiscordConfig & { token: string };
  dispatcher: Dispatcher;
  clock: Clock;
  logger: Logger;
  /** How long start() waits for READY and the guilds (default 30 s). */
  readyTimeoutMs?: number;
  /** Work longer than this ends with a follow-up pinging the asker (default 10 s). */
  notifyAfterMs?: number;
}

/**
 * The Discord front-end on the gateway: a discord.js client with the fewest intents that work
 * (Guilds, GuildMessages, DirectMessages with the Channel partial; MessageContent only when
 * configured, since mentions and DMs carry content without it).
 * @see https://discord.com/developers/docs/events/gateway#privileged-intents
 */
export class DiscordAdapter {
  readonly client: Client;
  readonly health: GatewayHealth;
  readonly confirmations = new PendingConfirmations();
  private readonly handler: DiscordHandler;

  constructor(private readonly options: DiscordAdapterOptions) {
    const { config } = options;
    this.client = new Client({
      intents: [
        GatewayIntentBits.Guilds,
        GatewayIntentBits.GuildMessages,
        GatewayIntentBits.DirectMessages,
        ...(config.messageContent ? [GatewayIntentBits.MessageContent] : []),
      ],
      partials: [Partials.Channel],
      ...(config.apiUrl && { rest: { api: config.apiUrl } }),
    });
    this.health = new GatewayHealth(options.clock);
    this.handler = new DiscordHandler({
      dispatcher: options.dispatcher,
      rest: this.client.rest,
      applicationId: config.applicationId,
      confirmations: this.confirmations,
      clock: options.clock,
      logger: options.logger,
      botToken: true,
      ...(options.notifyAfterMs !== undefined && { notifyAfterMs: options.notifyAfterMs }),
    });
  }

  /** Connects, waits until the guilds are there, then registers the slash commands if they changed. */
  async start(): Promise<void> {
    this.listen();
    const ready = once(this.client, Events.ClientReady, {
      signal: AbortSignal.timeout(this.options.readyTimeoutMs ?? 30_000),
    });
    try {
      await this.client.login(this.options.config.token);
      await ready;
    } catch (error) {
      await this.client.destroy().catch(() => undefined);
      throw new BatonError(
        "unavailable",
        `baton could not connect to Discord: ${error instanceof Error ? error.message : String(error)} (check DISCORD_TOKEN and DISCORD_API_URL).`,
        { cause: error, retryable: true },
      );
    }
    this.health.ready();
    await this.registerCommands();
  }

  async stop(): Promise<void> {
    this.confirmations.declineAll();
    this.health.stopped();
    await this.client.destroy();
  }

  publisher(): ChannelPublisher {
    return new DiscordPublisher(this.client.rest);
  }

  private async registerCommands(): Promise<void> {
    const { applicationId, guildId } = this.options.config;
    try {
      const result = await registerCommands(this.client.rest, { applicationId, guildId });
      this.options.logger.info("discord slash commands", { ...result, guild: guildId ?? "global" });
    } catch (error) {
      // Commands registered earlier keep working; mentions and DMs need none.
      this.options.logger.error("could not register the discord slash commands", { error });
    }
  }

  private listen(): void {
    const { client, health, options } = this;
    client.on(Events.Raw, () => health.event());
    client.on(Events.ShardReady, () => health.ready());
    client.on(Events.ShardResume, () => health.ready());
    client.on(Events.ShardReconnecting, () => health.reconnecting());
    client.on(Events.ShardDisconnect, () => health.reconnecting());
    client.on(Events.Error, (error) => options.logger.error("discord client error", { error }));
    client.on(Events.ShardError, (error) => options.logger.warn("discord gateway error", { error }));
    client.on(Events.InteractionCreate, (interaction) => void this.onInteraction(interaction));
    client.on(Events.MessageCreate, (message) => void this.onMessage(message));
  }

  private async onInteraction(interaction: Interaction): Promise<void> {
    let incoming: IncomingInteraction;
    if (interaction.isChatInputCommand()) incoming = fromCommandInteraction(interaction as ChatInputCommandInteraction);
    else if (interaction.isButton()) incoming = fromButtonInteraction(interaction as ButtonInteraction);
    else return;
    const responder = new InteractionResponder(this.client.rest, incoming);
    await this.handler.handleInteraction(incoming, (ack) => responder.acknowledge(ack));
  }

  private async onMessage(message: Message): Promise<void> {
    try {
      await this.handler.handleMessage(this.incomingMessage(message));
    } catch (error) {
      this.options.logger.error("discord message could not be handled", { message: message.id, error });
    }
  }

  private incomingMessage(message: Message): IncomingMessage {
    const channel = message.channel;
    const place = placeOf(
      { id: channel.id, type: channel.type, parentId: "parentId" in channel ? channel.parentId : null },
      message.channelId,
    );
    const botId = this.client.user?.id ?? this.options.config.applicationId;
    return {
      id: message.id,
      guildId: message.guildId,
      replyChannelId: message.channelId,
      channelId: place.channelId ?? message.channelId,
      threadId: place.threadId,
      author: { id: message.author.id, name: message.author.username, bot: message.author.bot },
      content: message.content,
      mentionsBot: message.mentions.users.has(botId),
      isDirect: message.guildId === null,
    };
  }
}
