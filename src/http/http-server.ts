import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import type { HttpMount, NodeHandler } from "../bot/ports.js";
import { systemClock, type Timer } from "../clock.js";
import type { HttpConfig } from "../config-http.js";
import type { Logger } from "../logger.js";
import { problem, problemBody, sendProblem } from "./problem.js";

/**
 * The one HTTP server on PORT (DESIGN.md "Real components"): Slack's events endpoint, Discord's
 * interactions endpoint and the MCP endpoint are Node handlers mounted on exact paths (their SDKs
 * read Node's request and response); everything else — health, metrics, the REST API, webhooks —
 * is a Hono app behind @hono/node-server's listener.
 */
export class HttpServer implements HttpMount {
  readonly app = new Hono();
  private readonly handlers = new Map<string, NodeHandler>();
  /** Run first when the server stops (MCP sessions end their streams before connections drop). */
  private readonly closing: Array<() => Promise<void>> = [];
  private readonly server: Server;
  private readonly listener: ReturnType<typeof getRequestListener>;
  private bound: number | null = null;

  constructor(private readonly deps: { config: HttpConfig; logger: Logger }) {
    this.listener = getRequestListener(this.app.fetch);
    this.app.notFound((c) => sendProblem(c, problem(404, "not_found", `Nothing is served at ${c.req.path}.`)));
    this.app.onError((error, c) => {
      deps.logger.error("http request failed", { path: c.req.path, error });
      return sendProblem(c, problem(500, "internal", "baton could not answer this request; it is in baton's log."));
    });
    this.server = createServer((req, res) => void this.route(req, res));
  }

  /** The port listened on, once listening (PORT=0 picks a free one). */
  get port(): number | null {
    return this.bound;
  }

  get maxBodyBytes(): number {
    return this.deps.config.maxBodyBytes;
  }

  /**
   * A path a front-end will mount once it has started: until then it is answered 503 with
   * Retry-After rather than 404, so the server can listen (health, readiness) before the platforms are up.
   */
  reserve(path: string): void {
    if (!this.handlers.has(path)) this.handlers.set(path, starting);
  }

  /** Serves `path` (exactly) with a Node handler; the returned function takes it away again. */
  mount(path: string, handler: NodeHandler): () => void {
    this.handlers.set(path, handler);
    return () => {
      if (this.handlers.get(path) === handler) this.handlers.delete(path);
    };
  }

  /** Runs `hook` when the server closes, before its connections are dropped. */
  onClose(hook: () => Promise<void>): void {
    this.closing.push(hook);
  }

  async listen(): Promise<number> {
    this.server.listen(this.deps.config.port, this.deps.config.host);
    await Promise.race([
      once(this.server, "listening"),
      once(this.server, "error").then(([error]) => Promise.reject(error)),
    ]);
    this.bound = (this.server.address() as AddressInfo).port;
    return this.bound;
  }

  /**
   * Stops taking connections, lets requests already being answered finish for up to `graceMs`
   * (a `wait: true` run, a webhook, a platform's ack), then drops what is left (event streams).
   */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    for (const hook of this.closing.splice(0)) await hook();
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    let timer: Timer | undefined;
    // The process's own deadline (not an injected clock a test may never advance); clock timers are unref'd.
    const late = new Promise<void>((resolve) => {
      timer = systemClock.setTimeout(resolve, graceMs);
    });
    await Promise.race([closed, late]);
    timer?.cancel();
    this.server.closeAllConnections();
    await closed;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const handler = this.handlers.get(pathOf(req));
    try {
      await (handler ? handler(req, res) : this.listener(req, res));
    } catch (error) {
      this.deps.logger.error("http request failed", { path: pathOf(req), error });
      if (res.headersSent) return void res.end();
      const body = problemBody(problem(500, "internal", "baton could not answer this request; it is in baton's log."));
      res.writeHead(body.status, body.headers).end(body.text);
    }
  }
}

/** How long requests in progress may finish when the server closes. */
const CLOSE_GRACE_MS = 5000;

/** What a reserved path answers while its front-end is still starting. */
async function starting(_req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = problemBody(problem(503, "starting", "baton is still starting this front-end; try again shortly."));
  res.writeHead(body.status, { ...body.headers, "retry-after": "5" }).end(body.text);
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? "/", "http://baton").pathname;
  } catch {
    return "/";
  }
}
