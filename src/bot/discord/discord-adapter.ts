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
import { type Clock, clockTimeout } from "../../clock.js";
import type { DiscordConfig } from "../../config-discord.js";
import { BatonError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { ChannelPublisher } from "../chat.js";
import type { Dispatcher } from "../dispatch.js";
import { type Backoff, PlatformConnection } from "../platform-connection.js";
import { PendingConfirmations } from "./confirmations.js";
import { registerCommands } from "./discord-commands.js";
import { DiscordHandler, type IncomingMessage } from "./discord-handler.js";
import {
  fromAutocompleteInteraction,
  fromButtonInteraction,
  fromCommandInteraction,
  type IncomingInteraction,
  placeOf,
} from "./discord-interaction.js";
import { DiscordPublisher } from "./discord-publisher.js";
import { GatewayHealth } from "./gateway-health.js";
import { parseInteraction } from "./interaction-payload.js";
import { type InteractionAck, InteractionResponder } from "./interaction-responder.js";

export interface DiscordAdapterOptions {
  config: DiscordConfig & { token: string };
  dispatcher: Dispatcher;
  clock: Clock;
  logger: Logger;
  /** How long start() waits for READY and the guilds (default 30 s). */
  readyTimeoutMs?: number;
  /** Work longer than this ends with a follow-up pinging the asker (default 10 s). */
  notifyAfterMs?: number;
  backoff?: Backoff;
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
  readonly confirmations: PendingConfirmations;
  private readonly handler: DiscordHandler;
  private readonly connection: PlatformConnection;
  /** Resolves once connected and the commands are registered (later, after an outage at start). */
  readonly connected: Promise<void>;

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
    this.confirmations = new PendingConfirmations(options.clock);
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
    this.connection = new PlatformConnection({
      name: "discord api",
      verify: () => this.connect(),
      isRefusal: isDiscordRefusal,
      describe: describeDiscordFailure,
      watcher: this.health,
      clock: options.clock,
      logger: options.logger,
      ...(options.backoff && { backoff: options.backoff }),
    });
    this.connected = this.connection.whenVerified.then(() => this.registerCommands());
  }

  /**
   * Connects, waits until the guilds are there, then registers the slash commands if they changed.
   * Resolves false when Discord could not be reached: the tries go on with backoff (status shows
   * the outage) and `connected` resolves once one works. A refused token throws.
   */
  async start(): Promise<boolean> {
    this.listen();
    try {
      if (!(await this.connection.start())) return false;
    } catch (error) {
      throw new BatonError(
        "unavailable",
        `baton could not connect to Discord: ${error instanceof Error ? error.message : String(error)} (check DISCORD_TOKEN and DISCORD_API_URL).`,
        { cause: error, retryable: true },
      );
    }
    await this.connected;
    return true;
  }

  /** One try at logging in and receiving READY. */
  private async connect(): Promise<void> {
    const readyMs = this.options.readyTimeoutMs ?? 30_000;
    const deadline = clockTimeout(this.options.clock, readyMs, () => new Error(`no READY within ${readyMs} ms`));
    const ready = once(this.client, Events.ClientReady, { signal: deadline.signal }).finally(deadline.cancel);
    // A login that fails leaves this wait to time out on its own: never an unhandled rejection.
    ready.catch(() => undefined);
    try {
      await this.client.login(this.options.config.token);
      await ready;
    } catch (error) {
      await this.client.destroy().catch(() => undefined);
      throw error;
    }
    this.health.ready();
  }

  async stop(): Promise<void> {
    this.connection.stop();
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
    client.on(Events.Raw, (packet: { t?: unknown; d?: unknown }) => {
      health.event();
      this.screen(packet);
    });
    client.on(Events.ShardReady, () => health.ready());
    client.on(Events.ShardResume, () => health.ready());
    client.on(Events.ShardReconnecting, () => health.reconnecting());
    client.on(Events.ShardDisconnect, () => health.reconnecting());
    client.on(Events.Error, (error) => options.logger.error("discord client error", { error }));
    client.on(Events.ShardError, (error) => options.logger.warn("discord gateway error", { error }));
    client.on(Events.InteractionCreate, (interaction) => void this.onInteraction(interaction));
    client.on(Events.MessageCreate, (message) => void this.onMessage(message));
  }

  /**
   * discord.js throws (an unhandled rejection) on an INTERACTION_CREATE without a user or data,
   * and Raw is emitted with the very packet it handles next. So a malformed interaction is taken
   * out here (renamed, so discord.js has no handler for it) and refused: audited, and answered
   * when it carries an id and token.
   */
  private screen(packet: { t?: unknown; d?: unknown }): void {
    if (packet.t !== "INTERACTION_CREATE") return;
    const parsed = parseInteraction(packet.d);
    if (parsed.kind !== "invalid") return;
    packet.t = "BATON_REFUSED_INTERACTION_CREATE";
    const { id, token, applicationId } = parsed.problem.salvage;
    const responder =
      id && token
        ? new InteractionResponder(this.client.rest, {
            id,
            token,
            applicationId: applicationId ?? this.options.config.applicationId,
          })
        : null;
    void this.handler.refuse(parsed.problem, responder ? (ack: InteractionAck) => responder.acknowledge(ack) : null);
  }

  private async onInteraction(interaction: Interaction): Promise<void> {
    let incoming: IncomingInteraction;
    if (interaction.isChatInputCommand()) incoming = fromCommandInteraction(interaction as ChatInputCommandInteraction);
    else if (interaction.isButton()) incoming = fromButtonInteraction(interaction as ButtonInteraction);
    else if (interaction.isAutocomplete()) incoming = fromAutocompleteInteraction(interaction);
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

/** Discord answered and refused the token (401, gateway close 4004): trying again will not help. */
function isDiscordRefusal(error: unknown): boolean {
  const coded = error as { status?: unknown; code?: unknown } | null;
  return coded?.status === 401 || coded?.code === "TokenInvalid" || coded?.code === 4004;
}

function describeDiscordFailure(error: unknown): string {
  const coded = error as { status?: unknown; cause?: { code?: unknown } } | null;
  if (typeof coded?.status === "number") return `HTTP ${coded.status} from Discord's API`;
  if (coded?.cause?.code) return `no answer from Discord's API (${String(coded.cause.code)})`;
  return error instanceof Error ? error.message : String(error);
}
