import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { readBody } from "../../bot/read-body.js";
import { bearerToken, type TokenAuthenticator } from "../api-auth.js";
import type { Caller } from "../api-requests.js";
import type { HttpServer } from "../http-server.js";
import { type Problem, problem, problemBody } from "../problem.js";
import type { RateLimiter } from "../rate-limit.js";
import type { McpDeps } from "./mcp-context.js";
import { createMcpServer } from "./mcp-server.js";
import { DEFAULT_SESSION_LIMITS, McpSessions, type SessionLimits } from "./mcp-sessions.js";

export const MCP_PATH = "/mcp";

export interface McpHttpDeps extends McpDeps {
  tokens: TokenAuthenticator;
  /** Shared with the REST API: one allowance per token. */
  limiter?: RateLimiter;
  maxBodyBytes: number;
  limits?: Partial<SessionLimits>;
}

type Refusal = { problem: Problem; headers?: Record<string, string> };

const CHALLENGE = { "www-authenticate": 'Bearer realm="baton"' };

/**
 * MCP over streamable HTTP at /mcp: each session acts as the person of the bearer token that
 * opened it, and answers only to that token. Sessions are stateful (`Mcp-Session-Id`), capped,
 * closed on DELETE, after `idleMs` unused, and when the HTTP server stops.
 * @see https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#streamable-http
 */
export class McpHttpEndpoint {
  private readonly sessions: McpSessions;

  constructor(private readonly deps: McpHttpDeps) {
    const limits = { ...DEFAULT_SESSION_LIMITS, ...deps.limits };
    this.sessions = new McpSessions({ clock: deps.clock, logger: deps.logger, limits });
  }

  get openSessions(): number {
    return this.sessions.size;
  }

  /** The Node handler to mount on /mcp. */
  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const caller = await this.authenticate(req);
    if ("problem" in caller) return send(res, caller);
    const body = req.method === "POST" ? await this.readJson(req) : { value: undefined };
    if ("problem" in body) return send(res, body);
    const id = req.headers["mcp-session-id"];
    if (typeof id === "string") return await this.continueSession(id, caller, req, res, body.value);
    await this.openSession(caller, req, res, body.value);
  };

  close(): Promise<void> {
    return this.sessions.closeAll();
  }

  private async authenticate(req: IncomingMessage): Promise<Caller | Refusal> {
    const token = bearerToken(req.headers.authorization);
    if (token === null) {
      const detail = "Send a personal API token as `Authorization: Bearer …`; `/orchestrate token create` makes one.";
      return { problem: problem(401, "unauthenticated", detail), headers: CHALLENGE };
    }
    const found = await this.deps.tokens.authenticateToken(token, this.deps.clock.now());
    if (found === null) {
      const detail =
        "That API token is not valid (revoked, or never issued); `/orchestrate token create` makes a new one.";
      return { problem: problem(401, "unauthenticated", detail), headers: CHALLENGE };
    }
    const wait = this.deps.limiter?.take(`token:${found.tokenId}`) ?? 0;
    if (wait > 0) {
      const detail = `Too many requests with this token; try again in ${wait} s.`;
      return { problem: problem(429, "rate_limited", detail), headers: { "retry-after": String(wait) } };
    }
    return { actor: found.actor, tokenId: found.tokenId };
  }

  private async readJson(req: IncomingMessage): Promise<{ value: unknown } | Refusal> {
    const raw = await readBody(req, this.deps.maxBodyBytes);
    if (raw === null) {
      return { problem: problem(413, "body_too_large", `The body is over ${this.deps.maxBodyBytes} bytes.`) };
    }
    try {
      return { value: JSON.parse(raw.toString("utf8")) as unknown };
    } catch {
      return { problem: problem(400, "invalid_json", "The body is not JSON; MCP messages are JSON-RPC objects.") };
    }
  }

  private async continueSession(
    id: string,
    caller: Caller,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ): Promise<void> {
    const session = this.sessions.get(id);
    if (session === undefined) {
      const detail = "That MCP session is not open (it ended, idled out, or baton restarted); initialize a new one.";
      return send(res, { problem: problem(404, "not_found", detail) });
    }
    if (session.tokenId !== caller.tokenId) {
      const detail =
        "This MCP session was opened with another token; use that token or initialize a session of your own.";
      return send(res, { problem: problem(403, "forbidden", detail) });
    }
    await session.transport.handleRequest(req, res, body);
  }

  private async openSession(caller: Caller, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    if (!(await this.sessions.hasRoom())) {
      const detail = "baton has as many MCP sessions open as it allows; close one (DELETE /mcp) or try again later.";
      return send(res, { problem: problem(503, "too_many_sessions", detail), headers: { "retry-after": "60" } });
    }
    const server = createMcpServer(this.deps, caller);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => this.sessions.add({ id, tokenId: caller.tokenId, server, transport }),
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    // Anything but an `initialize` without a session id is refused by the transport: nothing stays open.
    if (transport.sessionId === undefined) await server.close();
  }
}

function send(res: ServerResponse, refusal: Refusal): void {
  const body = problemBody(refusal.problem);
  res.writeHead(body.status, { ...body.headers, ...refusal.headers }).end(body.text);
}

/** Serves MCP at /mcp on the one HTTP server; its sessions close when the server does. */
export function mountMcp(server: HttpServer, deps: McpHttpDeps): McpHttpEndpoint {
  const endpoint = new McpHttpEndpoint(deps);
  server.mount(MCP_PATH, endpoint.handle);
  server.onClose(() => endpoint.close());
  return endpoint;
}
