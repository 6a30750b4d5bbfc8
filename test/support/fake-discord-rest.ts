import type { IncomingMessage, ServerResponse } from "node:http";
import { fakeMessage, fakeUser, type JsonObject } from "./fake-discord-payloads.js";

/** The REST half of FakeDiscord: records requests, keeps messages and commands, can answer 429. */

export interface RecordedRequest {
  method: string;
  /** Without the `/api/v10` prefix, e.g. `/channels/3/messages`. */
  path: string;
  query: URLSearchParams;
  body: JsonObject | null;
  status: number;
}

export interface StoredMessage extends JsonObject {
  id: string;
  channel_id: string;
  embeds: JsonObject[];
  components: JsonObject[];
  flags: number;
}

interface RateLimit {
  method: string;
  path: RegExp;
  retryAfterSeconds: number;
}
export interface FakeDiscordIdentity {
  readonly applicationId: string;
  readonly channelId: string;
  readonly token: string;
  readonly gatewayUrl: string;
  newId(): string;
}

export class FakeDiscordRest {
  readonly requests: RecordedRequest[] = [];
  readonly messages = new Map<string, StoredMessage>();
  /** Registered commands by scope: "global" or a guild id. */
  readonly commands = new Map<string, JsonObject[]>();
  private readonly rateLimits: RateLimit[] = [];
  private readonly serverErrors: Array<{ method: string; path: RegExp; status: number }> = [];
  private readonly interactionOriginals = new Map<string, string>();
  /**
   * Interactions posted to an HTTP endpoint: their deferral travels in the HTTP response the test
   * reads, so (as Discord would have by then) the first edit of @original finds a placeholder.
   */
  private readonly deferredOverHttp = new Set<string>();
  /** Users GET /users/{id} knows, by id (others are Unknown User). */
  readonly users = new Map<string, string>([
    ["400000000000000005", "ada"],
    ["400000000000000077", "lin"],
  ]);
  /** While true, Discord's REST API is down: every request answers 503 and does nothing. */
  down = false;

  constructor(private readonly identity: FakeDiscordIdentity) {}

  /** The next request matching method and path answers 429 with retry_after first. */
  rateLimitNext(method: string, path: RegExp, retryAfterSeconds = 0.2): void {
    this.rateLimits.push({ method, path, retryAfterSeconds });
  }

  /** The next `times` requests matching method and path answer `status` (a 5xx) and do nothing. */
  failNext(method: string, path: RegExp, status = 503, times = 1): void {
    for (let i = 0; i < times; i += 1) this.serverErrors.push({ method, path, status });
  }

  /** The message an interaction's @original stands for (the deferred reply, or the clicked message). */
  original(interactionToken: string): StoredMessage | undefined {
    const id = this.interactionOriginals.get(interactionToken);
    return id === undefined ? undefined : this.messages.get(id);
  }

  /** A button click's @original is the message the button is on. */
  clicked(interactionToken: string, messageId: string): void {
    this.interactionOriginals.set(interactionToken, messageId);
  }

  deferOverHttp(interactionToken: string): void {
    this.deferredOverHttp.add(interactionToken);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v\d+/, "");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = text.length > 0 ? (JSON.parse(text) as JsonObject) : null;
    const method = req.method ?? "GET";
    const [status, answer, headers] = this.route(method, path, body, req.headers.authorization);
    this.requests.push({ method, path, query: url.searchParams, body, status });
    res.writeHead(status, { ...(answer !== null && { "content-type": "application/json" }), ...headers });
    res.end(answer === null ? undefined : JSON.stringify(answer));
  }

  private route(
    method: string,
    path: string,
    body: JsonObject | null,
    auth: string | undefined,
  ): [number, unknown, Record<string, string>?] {
    if (this.down) return [503, { message: "Service Unavailable", code: 0 }];
    const limited = this.rateLimits.findIndex((r) => r.method === method && r.path.test(path));
    if (limited >= 0) {
      const [limit] = this.rateLimits.splice(limited, 1);
      const after = String(limit?.retryAfterSeconds ?? 0.2);
      return [
        429,
        { message: "You are being rate limited.", retry_after: limit?.retryAfterSeconds, global: false },
        { "retry-after": after, "x-ratelimit-scope": "user", "x-ratelimit-bucket": "fake-bucket" },
      ];
    }
    const failed = this.serverErrors.findIndex((r) => r.method === method && r.path.test(path));
    if (failed >= 0) {
      const [failure] = this.serverErrors.splice(failed, 1);
      const status = failure?.status ?? 503;
      // Discord's own answers: 50001 Missing Access for a 403, a bare message for a 5xx.
      return status === 403
        ? [403, { message: "Missing Access", code: 50001 }]
        : [status, { message: "Service Unavailable", code: 0 }];
    }
    const webhook = /^\/(webhooks|interactions)\//.test(path);
    if (!webhook && auth !== `Bot ${this.identity.token}`) return [401, { message: "401: Unauthorized", code: 0 }];
    return this.routeAuthorised(method, path, body) ?? [404, { message: "404: Not Found", code: 0 }];
  }

  private routeAuthorised(method: string, path: string, body: JsonObject | null): [number, unknown] | null {
    if (method === "GET" && path === "/gateway/bot") {
      return [
        200,
        {
          url: this.identity.gatewayUrl,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
        },
      ];
    }
    const commands = path.match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/);
    if (commands) return this.commandsRoute(method, commands[2] ?? "global", body);
    const callback = path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/);
    if (callback && method === "POST") return this.callback(callback[2] ?? "", body ?? {});
    const webhook = path.match(/^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/);
    if (webhook) return this.webhook(method, webhook[2] ?? "", webhook[3], body ?? {});
    const user = method === "GET" ? path.match(/^\/users\/(\d+)$/) : null;
    if (user) {
      const name = this.users.get(user[1] ?? "");
      return name ? [200, fakeUser(user[1] ?? "", name)] : [404, { message: "Unknown User", code: 10013 }];
    }
    if (method === "GET" && /^\/channels\/\d+$/.test(path)) return [404, { message: "Unknown Channel", code: 10003 }];
    const channel = path.match(/^\/channels\/(\d+)\/messages(?:\/(\d+))?$/);
    if (channel) {
      const [, channelId = "", id] = channel;
      if (method === "POST") return [200, this.createMessage(channelId, body ?? {})];
      if (method === "PATCH" && id) return this.editMessage(id, body ?? {});
    }
    return null;
  }

  private commandsRoute(method: string, scope: string, body: JsonObject | null): [number, unknown] {
    const existing = this.commands.get(scope) ?? [];
    if (method === "GET") return [200, existing];
    const stored = (command: JsonObject) => ({
      id: this.identity.newId(),
      application_id: this.identity.applicationId,
      version: this.identity.newId(),
      type: 1,
      ...command,
    });
    if (method === "PUT") {
      const all = ((body as unknown as JsonObject[]) ?? []).map(stored);
      this.commands.set(scope, all);
      return [200, all];
    }
    if (method === "POST" && body) {
      const command = stored(body);
      this.commands.set(scope, [...existing.filter((c) => c.name !== body.name), command]);
      return [201, command];
    }
    return [405, { message: "405: Method Not Allowed", code: 0 }];
  }

  private callback(token: string, body: JsonObject): [number, unknown] {
    const data = (body.data ?? {}) as JsonObject;
    if (body.type === 4 || body.type === 5) {
      const message = this.createMessage(this.identity.channelId, { ...data, interaction_token: token });
      this.interactionOriginals.set(token, message.id);
    }
    if (body.type === 7) {
      const id = this.interactionOriginals.get(token);
      if (id) this.editMessage(id, data);
    }
    return [204, null];
  }

  private webhook(method: string, token: string, messageId: string | undefined, body: JsonObject): [number, unknown] {
    if (method === "POST" && messageId === undefined) return [200, this.createMessage(this.identity.channelId, body)];
    if (messageId === "@original" && this.deferredOverHttp.delete(token)) this.callback(token, { type: 5 });
    const id = messageId === "@original" ? this.interactionOriginals.get(token) : messageId;
    if (!id || !this.messages.has(id)) return [404, { message: "Unknown Message", code: 10008 }];
    if (method === "PATCH") return this.editMessage(id, body);
    if (method === "DELETE") {
      this.messages.delete(id);
      return [204, null];
    }
    return [405, { message: "405: Method Not Allowed", code: 0 }];
  }

  private createMessage(channelId: string, body: JsonObject): StoredMessage {
    const id = this.identity.newId();
    const message = {
      ...fakeMessage(id, channelId, fakeUser(this.identity.applicationId, "baton", true), {
        content: typeof body.content === "string" ? body.content : "",
      }),
      embeds: (body.embeds as JsonObject[]) ?? [],
      components: (body.components as JsonObject[]) ?? [],
      flags: Number(body.flags ?? 0),
      ...(body.nonce !== undefined && { nonce: body.nonce }),
    } as StoredMessage;
    if (body.nonce !== undefined) {
      const same = [...this.messages.values()].find((m) => m.nonce === body.nonce && m.channel_id === channelId);
      if (same && body.enforce_nonce) return same;
    }
    this.messages.set(id, message);
    return message;
  }

  private editMessage(id: string, body: JsonObject): [number, unknown] {
    const message = this.messages.get(id);
    if (!message) return [404, { message: "Unknown Message", code: 10008 }];
    for (const key of ["content", "embeds", "components"] as const) {
      if (body[key] !== undefined) (message as JsonObject)[key] = body[key];
    }
    message.edited_timestamp = new Date().toISOString();
    return [200, message];
  }
}
