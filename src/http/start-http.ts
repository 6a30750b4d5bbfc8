import type { Dispatcher } from "../bot/dispatch.js";
import type { Clock } from "../clock.js";
import type { Hook } from "../config-hooks.js";
import type { HttpConfig } from "../config-http.js";
import type { Logger } from "../logger.js";
import type { TokenAuthenticator } from "./api-auth.js";
import type { EventFeed } from "./event-stream.js";
import { healthRoutes, type ReadinessCheck } from "./health-routes.js";
import { HOOKS_BASE, type HookPublish, hookRoutes } from "./hooks/hook-routes.js";
import { HttpServer } from "./http-server.js";
import { mountMcp } from "./mcp/mcp-http.js";
import { BatonMetrics, type MetricsDeps } from "./metrics.js";
import { RateLimiter } from "./rate-limit.js";
import { API_BASE, restApi } from "./rest-api.js";

export interface HttpSurfaceDeps {
  config: HttpConfig;
  dispatcher: Dispatcher;
  tokens: TokenAuthenticator;
  clock: Clock;
  logger: Logger;
  version: string;
  databaseProblems(): Promise<{ database: string | null; migrations: string | null }>;
  /** The events table, for the event stream. */
  eventFeed: EventFeed;
  /** What /metrics counts and reads. */
  metrics: Omit<MetricsDeps, "dispatcher">;
  /** The front-ends running now, each with whether it is connected (for /readyz). */
  frontEnds(): ReadonlyArray<{ name: string; ready(): boolean }>;
  /** Inbound webhooks from BATON_HOOKS_FILE (POST /hooks/{name}) and how their results are posted. */
  hooks?: { list: readonly Hook[]; publish: HookPublish };
}

/**
 * The one HTTP server as `baton start` runs it (not yet listening): health and readiness, the
 * REST API, MCP at /mcp; front-ends mount their endpoints on it before it listens.
 */
export function createHttpSurface(deps: HttpSurfaceDeps): HttpServer {
  const server = new HttpServer({ config: deps.config, logger: deps.logger });
  const checks = (): ReadinessCheck[] => {
    const database = deps.databaseProblems();
    return [
      { name: "database", check: async () => (await database).database },
      { name: "migrations", check: async () => (await database).migrations },
      ...deps.frontEnds().map((frontEnd) => ({
        name: frontEnd.name,
        check: () => (frontEnd.ready() ? null : `${frontEnd.name} is not connected`),
      })),
    ];
  };
  server.app.route("/", healthRoutes({ checks, version: deps.version, clock: deps.clock }));
  const metrics = new BatonMetrics({ ...deps.metrics, dispatcher: deps.dispatcher });
  server.onClose(async () => metrics.stop());
  server.app.get("/metrics", async (c) => {
    const { contentType, body } = await metrics.text();
    return c.body(body, 200, { "content-type": contentType });
  });
  const limiter = new RateLimiter(deps.config.ratePerMinute, deps.clock);
  server.app.route(
    API_BASE,
    restApi({
      dispatcher: deps.dispatcher,
      tokens: deps.tokens,
      limiter,
      clock: deps.clock,
      logger: deps.logger,
      maxBodyBytes: deps.config.maxBodyBytes,
      events: { feed: deps.eventFeed, dispatcher: deps.dispatcher, clock: deps.clock, logger: deps.logger },
    }),
  );
  mountMcp(server, { ...deps, limiter, maxBodyBytes: deps.config.maxBodyBytes });
  if (deps.hooks && deps.hooks.list.length > 0) {
    const { dispatcher, clock, logger } = deps;
    const hooks = { hooks: deps.hooks.list, publish: deps.hooks.publish, maxBodyBytes: deps.config.maxBodyBytes };
    server.app.route(HOOKS_BASE, hookRoutes({ dispatcher, clock, logger, ...hooks }));
  }
  return server;
}
