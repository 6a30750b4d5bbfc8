import type { App } from "./app.js";
import type { HttpConfig } from "./config-http.js";
import type { HttpServer } from "./http/http-server.js";
import { packageVersion } from "./version.js";

/**
 * The one HTTP server (PORT) for an app: health, readiness, metrics, the REST API, MCP and the
 * webhooks; the platforms mount their endpoints on it. Not yet listening. Loaded only when PORT
 * (or a front-end that needs a server) is configured.
 */
export async function httpSurfaceFor(
  app: App,
  config: HttpConfig,
  frontEnds: () => ReadonlyArray<{ name: string; ready(): boolean }> = () => [],
): Promise<HttpServer> {
  const { createHttpSurface } = await import("./http/start-http.js");
  return createHttpSurface({
    config,
    dispatcher: app.dispatcher,
    tokens: app.access,
    clock: app.clock,
    logger: app.logger,
    version: packageVersion(),
    databaseProblems: () => app.databaseProblems(),
    eventFeed: app.eventFeed,
    metrics: {
      events: app.events,
      executionCounts: () => app.executionCounts(),
      auditPending: () => app.rows.audit.openCount,
    },
    frontEnds,
    hooks: { list: app.hooks, publish: (target, reply, options) => app.publish(target, reply, options) },
  });
}
