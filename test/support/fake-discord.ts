import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import { eventually, type Truthy } from "./eventually.js";
import { fakeGuild, fakeMessage, fakeUser, type JsonObject } from "./fake-discord-payloads.js";
import { FakeDiscordRest, type RecordedRequest, type StoredMessage } from "./fake-discord-rest.js";

export type { RecordedRequest, StoredMessage };

/**
 * Discord at the network edge: a REST API (node:http) and a gateway (ws, protocol v10, JSON, no
 * compression) on one port, so the real discord.js client runs on top. It records every REST
 * request and keeps the messages it was asked to create and edit, so tests assert what was answered.
 */

interface GatewayEvent {
  s: number;
  t: string;
  d: unknown;
}

export class FakeDiscord {
  readonly applicationId = "100000000000000001";
  readonly guildId = "200000000000000002";
  readonly channelId = "300000000000000003";
  readonly threadId = "300000000000000004";
  readonly dmChannelId = "300000000000000009";
  readonly token = "fake-bot-token";

  identifies = 0;
  resumes = 0;
  heartbeats = 0;
  /** Intents sent with the last IDENTIFY. */
  lastIntents: number | null = null;

  readonly rest = new FakeDiscordRest(this);
  private readonly server: Server = createServer((req, res) => void this.rest.handle(req, res));
  private readonly gateway = new WebSocketServer({ noServer: true });
  private socket: WebSocket | null = null;
  private session: { id: string; events: GatewayEvent[]; seq: number } | null = null;
  private nextId = 500_000_000_000_000_000n;

  constructor(private readonly options: { heartbeatIntervalMs?: number } = {}) {
    this.server.on("upgrade", (req, socket, head) => {
      this.gateway.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  async start(): Promise<this> {
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    return this;
  }

  async stop(): Promise<void> {
    for (const client of this.gateway.clients) client.terminate();
    this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** DISCORD_API_URL for the client under test. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  newId(): string {
    this.nextId += 1n;
    return this.nextId.toString();
  }

  get requests(): RecordedRequest[] {
    return this.rest.requests;
  }

  get messages(): Map<string, StoredMessage> {
    return this.rest.messages;
  }

  get commands(): Map<string, JsonObject[]> {
    return this.rest.commands;
  }

  /** The next request matching method and path answers 429 with retry_after first. */
  rateLimitNext(method: string, path: RegExp, retryAfterSeconds = 0.2): void {
    this.rest.rateLimitNext(method, path, retryAfterSeconds);
  }

  /** The next `times` requests matching method and path answer `status` (a 5xx) and do nothing. */
  failNext(method: string, path: RegExp, status = 503, times = 1): void {
    this.rest.failNext(method, path, status, times);
  }

  /** Resolves with what `predicate` returns once that is truthy (see eventually). */
  until<T>(predicate: () => T | Promise<T>, what: string, timeoutMs?: number): Promise<Truthy<T>> {
    return eventually(predicate, what, { ...(timeoutMs !== undefined && { timeoutMs }) });
  }

  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  /** The message an interaction's @original stands for (the deferred reply, or the clicked message). */
  original(interactionToken: string): StoredMessage | undefined {
    return this.rest.original(interactionToken);
  }

  /** The text of a message's first embed (title and description), for assertions. */
  static text(message: StoredMessage | undefined): string {
    const embed = message?.embeds[0] as { title?: string; description?: string } | undefined;
    return [message?.content, embed?.title, embed?.description].filter((part) => part).join("\n");
  }

  /**
   * What baton answered a slash command with: its ephemeral follow-up (errors and refusals replace
   * the public deferral with one), else the deferred reply once `done` says it is the final text.
   */
  answerTo(token: string, done: (text: string) => boolean): string | false {
    const followUp = this.requestsTo("POST", new RegExp(`/webhooks/${this.applicationId}/${token}$`))[0];
    if (followUp) return FakeDiscord.text(followUp.body as unknown as StoredMessage);
    const text = FakeDiscord.text(this.original(token));
    return done(text) && text;
  }

  /** An interaction as Discord POSTs it to an HTTP endpoint (the same JSON as INTERACTION_CREATE). */
  httpInteraction(name: string, options: Record<string, string>, user = fakeUser("400000000000000005", "ada")) {
    const command = this.commandInteraction(name, options, user, this.channelId);
    this.rest.deferOverHttp(command.token);
    return command;
  }

  /** A chat-input command's INTERACTION_CREATE payload (not sent), for tests that break it first. */
  commandPayload(name: string, options: Record<string, string>, user = fakeUser("400000000000000005", "ada")) {
    return this.commandInteraction(name, options, user, this.channelId);
  }

  /** An APPLICATION_COMMAND interaction for a chat-input command with string options. */
  private commandInteraction(name: string, options: Record<string, string>, user: JsonObject, channelId: string) {
    const id = this.newId();
    const token = `itoken-${randomBytes(6).toString("hex")}`;
    const payload = {
      ...this.interactionBase(id, token, 2, user, channelId),
      data: {
        id: this.newId(),
        name,
        type: 1,
        options: Object.entries(options).map(([option, value]) => ({ name: option, type: 3, value })),
      },
    };
    return { id, token, payload };
  }

  // --- gateway ---------------------------------------------------------------------------

  get connected(): boolean {
    return this.socket !== null;
  }

  /** Sends a dispatch now, or (while disconnected) keeps it for the replay after RESUME. */
  dispatch(t: string, d: unknown): void {
    if (!this.session) throw new Error("no gateway session yet");
    this.session.seq += 1;
    const event = { s: this.session.seq, t, d };
    this.session.events.push(event);
    this.socket?.send(JSON.stringify({ op: 0, ...event }));
  }

  /** Closes the socket as Discord does when it drops a connection (4000: unknown error, resumable). */
  dropConnection(code = 4000): void {
    this.socket?.close(code, "fake gateway dropped the connection");
    this.socket = null;
  }

  /** `roles`: the member's Discord role ids, as the interaction's member data carries them. */
  slashCommand(
    name: string,
    options: Record<string, string>,
    at: { user?: JsonObject; channelId?: string; roles?: string[] } = {},
  ) {
    const user = at.user ?? fakeUser("400000000000000005", "ada");
    const { id, token, payload } = this.commandInteraction(name, options, user, at.channelId ?? this.channelId);
    payload.member.roles = at.roles ?? [];
    this.dispatch("INTERACTION_CREATE", payload);
    return { id, token };
  }

  /** Someone typing `typed` into `/orchestrate request`: Discord asks for autocomplete choices (type 4). */
  autocomplete(typed: string, at: { user?: JsonObject; roles?: string[] } = {}) {
    const id = this.newId();
    const token = `itoken-${randomBytes(6).toString("hex")}`;
    const payload = {
      ...this.interactionBase(id, token, 4, at.user ?? fakeUser("400000000000000005", "ada"), this.channelId),
      data: {
        id: this.newId(),
        name: "orchestrate",
        type: 1,
        options: [{ name: "request", type: 3, value: typed, focused: true }],
      },
    };
    payload.member.roles = at.roles ?? [];
    this.dispatch("INTERACTION_CREATE", payload);
    return { id, token };
  }

  clickButton(message: StoredMessage, customId: string, user: JsonObject) {
    const id = this.newId();
    const token = `itoken-${randomBytes(6).toString("hex")}`;
    this.rest.clicked(token, message.id);
    this.dispatch("INTERACTION_CREATE", {
      ...this.interactionBase(id, token, 3, user, message.channel_id),
      message,
      data: { custom_id: customId, component_type: 2 },
    });
    return { id, token };
  }

  sendMessage(content: string, at: { user?: JsonObject; channelId?: string; dm?: boolean } = {}): string {
    const id = this.newId();
    const author = at.user ?? fakeUser("400000000000000005", "ada");
    const mentions = content.includes(`<@${this.applicationId}>`) ? [fakeUser(this.applicationId, "baton", true)] : [];
    this.dispatch("MESSAGE_CREATE", {
      ...fakeMessage(id, at.dm ? this.dmChannelId : (at.channelId ?? this.channelId), author, { content }),
      ...(at.dm ? {} : { guild_id: this.guildId, member: { roles: [], joined_at: new Date(0).toISOString() } }),
      mentions,
      // Discord says which kind of channel a message is in; discord.js builds an uncached DM channel from it.
      channel_type: at.dm ? 1 : at.channelId === this.threadId ? 11 : 0,
    });
    return id;
  }

  private interactionBase(id: string, token: string, type: number, user: JsonObject, channelId: string) {
    const channel =
      channelId === this.threadId
        ? { id: channelId, type: 11, guild_id: this.guildId, parent_id: this.channelId, name: "deploy" }
        : { id: channelId, type: 0, guild_id: this.guildId, name: "ops" };
    return {
      id,
      token,
      type,
      version: 1,
      application_id: this.applicationId,
      guild_id: this.guildId,
      channel_id: channelId,
      channel,
      member: {
        user,
        roles: [] as string[],
        permissions: "0",
        joined_at: new Date(0).toISOString(),
        deaf: false,
        mute: false,
        flags: 0,
      },
      app_permissions: "0",
      locale: "en-US",
      guild_locale: "en-US",
      entitlements: [],
      authorizing_integration_owners: {},
      context: 0,
    };
  }

  private accept(ws: WebSocket): void {
    this.socket?.terminate();
    this.socket = ws;
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.options.heartbeatIntervalMs ?? 45_000 } }));
    ws.on("message", (raw) => this.onGatewayMessage(ws, JSON.parse(String(raw)) as { op: number; d: JsonObject }));
    ws.on("close", () => {
      if (this.socket === ws) this.socket = null;
    });
  }

  private onGatewayMessage(ws: WebSocket, payload: { op: number; d: JsonObject }): void {
    switch (payload.op) {
      case 1:
        this.heartbeats += 1;
        ws.send(JSON.stringify({ op: 11 }));
        break;
      case 2:
        this.identify(ws, payload.d);
        break;
      case 6:
        this.resume(ws, payload.d);
        break;
    }
  }

  private identify(ws: WebSocket, d: JsonObject): void {
    if (d.token !== this.token) {
      ws.close(4004, "Authentication failed");
      return;
    }
    this.identifies += 1;
    this.lastIntents = Number(d.intents);
    this.session = { id: randomBytes(8).toString("hex"), events: [], seq: 0 };
    this.dispatch("READY", {
      v: 10,
      user: fakeUser(this.applicationId, "baton", true),
      guilds: [{ id: this.guildId, unavailable: true }],
      session_id: this.session.id,
      resume_gateway_url: this.gatewayUrl,
      shard: [0, 1],
      application: { id: this.applicationId, flags: 0 },
    });
    this.dispatch("GUILD_CREATE", fakeGuild(this));
  }

  private resume(ws: WebSocket, d: JsonObject): void {
    const session = this.session;
    if (!session || d.session_id !== session.id || d.token !== this.token) {
      ws.send(JSON.stringify({ op: 9, d: false }));
      return;
    }
    this.resumes += 1;
    for (const event of session.events.filter((e) => e.s > Number(d.seq))) {
      ws.send(JSON.stringify({ op: 0, ...event }));
    }
    this.dispatch("RESUMED", {});
  }
}
