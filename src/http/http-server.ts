import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import type { HttpMount, NodeHandler } from "../bot/ports.js";
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

  /** Serves `path` (exactly) with a Node handler; the returned function takes it away again. */
  mount(path: string, handler: NodeHandler): () => void {
    this.handlers.set(path, handler);
    return () => {
      if (this.handlers.get(path) === handler) this.handlers.delete(path);
    };
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

  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
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

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? "/", "http://baton").pathname;
  } catch {
    return "/";
  }
}
