import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import { eventually, type Truthy } from "./eventually.js";

/**
 * A local Slack: the Web API (POST /api/<method>, form or JSON bodies, Slack's JSON answers,
 * 429 with Retry-After on demand) and a Socket Mode WebSocket server (hello, envelopes with
 * envelope_id and retry_attempt, acks). The real Bolt app and WebClient talk to it.
 */
export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  /** false when the fake refused the call (429, or a refusal such as not_in_channel): Slack did nothing. */
  performed: boolean;
  /** What the fake answered (e.g. the ts of a posted message). */
  response?: Record<string, unknown>;
}

export const BOT_USER = "UBOT";
export const TEAM = "T0BATON";

export class FakeSlack {
  readonly calls: ApiCall[] = [];
  readonly users = new Map<string, string>([["UBOT", "baton"]]);
  /** User groups (`S…`) and their members, for usergroups.users.list. */
  readonly userGroups = new Map<string, string[]>();
  /** Channels conversations.info knows (others are channel_not_found). */
  readonly channels = new Set<string>(["C0OPS", "C0DEPLOY"]);
  /** Users users.info says do not exist (user_not_found). */
  readonly missingUsers = new Set<string>();
  /** When set, usergroups.users.list answers ok: false with this error (e.g. missing_scope). */
  userGroupsError: string | null = null;
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private readonly sockets = new Set<WebSocket>();
  private readonly acks = new Map<string, (ack: Record<string, unknown>) => void>();
  private readonly rateLimits = new Map<string, number[]>();
  private readonly serverErrors = new Map<string, number[]>();
  /** When set, auth.test answers ok: false with this error (e.g. invalid_auth for a revoked bot token). */
  authTestError: string | null = null;
  /** When set, apps.connections.open fails with this error (e.g. invalid_auth for a bad app token). */
  connectionsOpenError: string | null = null;
  /**
   * While set, Slack's Web API is down: "refuse" resets every connection before answering (as an
   * unreachable host does), "503" answers every method with HTTP 503. Such calls are recorded,
   * not performed. Set it back to null and Slack is back.
   */
  down: "refuse" | "503" | null = null;
  /** The next chat.postMessage that carries blocks is refused with invalid_blocks. */
  refuseBlocksOnce = false;
  /** Channels where posting fails with this Slack error (e.g. not_in_channel). */
  readonly refusedChannels = new Map<string, string>();
  private sequence = 0;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on("upgrade", (req, socket, head) => {
      this.wss?.handleUpgrade(req, socket, head, (ws) => this.connected(ws));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss?.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** The next call of `method` is answered 429 with `Retry-After: retryAfterS`. */
  rateLimitNext(method: string, retryAfterS: number): void {
    this.rateLimits.set(method, [...(this.rateLimits.get(method) ?? []), retryAfterS]);
  }

  /** The next call of `method` is answered with HTTP `status` (a 5xx); Slack did nothing. */
  failNext(method: string, status = 503): void {
    this.serverErrors.set(method, [...(this.serverErrors.get(method) ?? []), status]);
  }

  performed(method: string): Array<Record<string, unknown>> {
    return this.calls.filter((c) => c.method === method && c.performed).map((c) => c.args);
  }

  /** A response_url the fake answers (and records as method `response_url`). */
  responseUrl(id: string): string {
    return `${this.url}/response/${id}`;
  }

  /** The ts Slack gave the posted message whose arguments are `args`. */
  tsOf(args: Record<string, unknown>): string {
    return String(this.calls.find((c) => c.args === args)?.response?.ts ?? "");
  }

  /** Resolves with what `check` returns once that is truthy; a timeout lists the calls so far. */
  waitFor<T>(check: () => T, what = "a Slack call", timeoutMs?: number): Promise<Truthy<T>> {
    return eventually(check, () => `${what}; calls: ${this.summary()}`, {
      ...(timeoutMs !== undefined && { timeoutMs }),
    });
  }

  summary(): string {
    return JSON.stringify(
      this.calls.map((c) => `${c.method}${c.performed ? "" : " (429)"}: ${String(c.args.text ?? "")}`.slice(0, 120)),
    );
  }

  // --- Socket Mode ---------------------------------------------------------------------------

  get connections(): number {
    return this.sockets.size;
  }

  /** Cuts every Socket Mode connection, as a network blip or a Slack deploy does. */
  dropConnections(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  /** Asks every connection to reconnect, as Slack does every few hours (a `disconnect` message). */
  requestRefresh(): void {
    for (const ws of this.sockets) ws.send(JSON.stringify({ type: "disconnect", reason: "refresh_requested" }));
  }

  /** Sends an envelope to the first connected socket; resolves with the app's ack. */
  sendEnvelope(
    type: "events_api" | "slash_commands" | "interactive",
    payload: Record<string, unknown>,
    options: { envelopeId?: string; retryAttempt?: number } = {},
  ): Promise<Record<string, unknown>> {
    const socket = [...this.sockets][0];
    if (!socket) throw new Error("no Socket Mode connection");
    const envelopeId = options.envelopeId ?? randomUUID();
    const acked = new Promise<Record<string, unknown>>((resolve) => this.acks.set(envelopeId, resolve));
    socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== "events_api",
        retry_attempt: options.retryAttempt ?? 0,
        retry_reason: options.retryAttempt ? "timeout" : "",
      }),
    );
    return acked;
  }

  private connected(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on("close", () => this.sockets.delete(ws));
    ws.on("message", (data) => {
      const ack = JSON.parse(String(data)) as Record<string, unknown>;
      const id = String(ack.envelope_id ?? "");
      this.acks.get(id)?.(ack);
      this.acks.delete(id);
    });
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: this.sockets.size,
        debug_info: { host: "fake-slack", approximate_connection_time: 18060 },
        connection_info: { app_id: "A0BATON" },
      }),
    );
  }

  // --- Web API -------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.url ?? "").replace(/^\/api\//, "").split("?")[0] ?? "";
    const args = parseBody(await readBody(req), String(req.headers["content-type"] ?? ""));
    if (this.down !== null && !method.startsWith("/response/")) {
      this.record({ method, args, performed: false });
      if (this.down === "refuse") {
        req.socket.destroy();
        return;
      }
      res.writeHead(503, { "content-type": "text/plain" });
      res.end("service unavailable");
      return;
    }
    if (method.startsWith("/response/")) {
      // A slash command's response_url: Bolt's respond() posts JSON here.
      this.record({ method: "response_url", args, performed: true });
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
      return;
    }
    const limited = this.rateLimits.get(method);
    if (limited && limited.length > 0) {
      const retryAfter = limited.shift() ?? 1;
      this.record({ method, args, performed: false });
      res.writeHead(429, { "content-type": "application/json", "retry-after": String(retryAfter) });
      res.end(JSON.stringify({ ok: false, error: "ratelimited" }));
      return;
    }
    const failed = this.serverErrors.get(method)?.shift();
    if (failed !== undefined) {
      this.record({ method, args, performed: false });
      res.writeHead(failed, { "content-type": "text/plain" });
      res.end("upstream unavailable");
      return;
    }
    let refused = this.refusedChannels.get(String(args.channel ?? ""));
    if (this.refuseBlocksOnce && method === "chat.postMessage" && args.blocks) {
      this.refuseBlocksOnce = false;
      refused = "invalid_blocks";
    }
    const response = refused && method.startsWith("chat.") ? { ok: false, error: refused } : this.answer(method, args);
    this.record({ method, args, performed: !(refused && method.startsWith("chat.")), response });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(response));
  }

  private record(call: ApiCall): void {
    this.calls.push(call);
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const ts = () => `1700000000.${String(++this.sequence).padStart(6, "0")}`;
    switch (method) {
      case "auth.test":
        if (this.authTestError) return { ok: false, error: this.authTestError };
        return {
          ok: true,
          url: "https://baton.slack.com/",
          team: "baton",
          user: "baton",
          team_id: TEAM,
          user_id: BOT_USER,
          bot_id: "B0BATON",
        };
      case "apps.connections.open":
        if (this.connectionsOpenError) return { ok: false, error: this.connectionsOpenError };
        return { ok: true, url: `${this.url.replace("http", "ws")}/link/?ticket=${randomUUID()}` };
      case "chat.postMessage": {
        const channel = String(args.channel).startsWith("U") ? `D${String(args.channel).slice(1)}` : args.channel;
        return { ok: true, channel, ts: ts(), message: { text: args.text, blocks: args.blocks } };
      }
      case "chat.update":
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      case "chat.postEphemeral":
        return { ok: true, message_ts: ts() };
      case "conversations.open":
        return { ok: true, channel: { id: `D${String(args.users).slice(1)}` } };
      case "views.publish":
        return { ok: true, view: { id: "V1", ...(args.view as object) } };
      case "conversations.info": {
        const id = String(args.channel);
        return this.channels.has(id)
          ? { ok: true, channel: { id, name: id.toLowerCase() } }
          : { ok: false, error: "channel_not_found" };
      }
      case "users.info": {
        const id = String(args.user);
        if (this.missingUsers.has(id)) return { ok: false, error: "user_not_found" };
        const name = this.users.get(id) ?? id.toLowerCase();
        return { ok: true, user: { id, name, real_name: name, profile: { display_name: name, real_name: name } } };
      }
      case "usergroups.users.list": {
        if (this.userGroupsError) return { ok: false, error: this.userGroupsError };
        const users = this.userGroups.get(String(args.usergroup));
        return users ? { ok: true, users } : { ok: false, error: "no_such_subteam" };
      }
      default:
        return { ok: false, error: "unknown_method" };
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** The WebClient sends forms, with blocks and views as JSON strings inside. */
function parseBody(body: string, contentType: string): Record<string, unknown> {
  if (contentType.includes("application/json")) return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
