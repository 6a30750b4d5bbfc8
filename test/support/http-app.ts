import { randomBytes } from "node:crypto";
import type { App } from "../../src/app.js";
import { OneShotConversation } from "../../src/bot/one-shot.js";
import type { Actor } from "../../src/commands/context.js";
import type { HttpServer } from "../../src/http/http-server.js";
import type { HttpSurfaceDeps } from "../../src/http/start-http.js";
import { httpSurfaceFor } from "../../src/http-surface.js";
import { startTestApp } from "./app.js";

export interface HttpTestApp {
  app: App;
  server: HttpServer;
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** A personal API token made through the dispatcher by `actor`, as `/orchestrate token create` would. */
  tokenFor(actor: Actor, name?: string): Promise<string>;
  close(): Promise<void>;
}

/** Console people of the tests: Ada is an admin (FAKE_PLATFORM_ADMINS), Vic a viewer (no grant). */
export const ADA: Actor = { platform: "console", id: "ada", name: "ada" };
export const VIC: Actor = { platform: "console", id: "vic", name: "vic" };

/**
 * An app with the one HTTP server on an ephemeral port, as `baton start` builds it with PORT set
 * (health, readiness, the REST API). `extend` mounts more (MCP, webhooks) before it listens.
 */
export async function startHttpApp(options: {
  url: string;
  env?: Record<string, string>;
  workflowsDir?: string;
  ratePerMinute?: number;
  maxBodyBytes?: number;
  extend?: (server: HttpServer, app: App) => void | Promise<void>;
  frontEnds?: HttpSurfaceDeps["frontEnds"];
}): Promise<HttpTestApp> {
  const app = await startTestApp({
    url: options.url,
    ...(options.env && { env: options.env }),
    ...(options.workflowsDir && { workflowsDir: options.workflowsDir }),
  });
  const config = {
    port: 0,
    host: "127.0.0.1",
    ratePerMinute: options.ratePerMinute ?? 10_000,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
  };
  // Webhooks from BATON_HOOKS_FILE in `env` are served too, as `baton start` serves them.
  const server = await httpSurfaceFor(app, config, options.frontEnds);
  await options.extend?.(server, app);
  const port = await server.listen();
  const tokenFor = async (actor: Actor, name = "test") => {
    const outcome = await app.dispatcher.dispatch(
      {
        platform: "console",
        workspace: null,
        channel: "cli",
        thread: null,
        actor,
        text: `/orchestrate token create ${name}`,
        dedupeKey: `test:${randomBytes(8).toString("hex")}`,
        receivedAt: app.clock.now(),
      },
      new OneShotConversation(false, "confirm"),
    );
    const result = outcome.result;
    if (result?.type !== "token.create") throw new Error(`no token: ${outcome.reply.text}`);
    return result.secret;
  };
  return {
    app,
    server,
    base: `http://127.0.0.1:${port}`,
    tokenFor,
    close: async () => {
      await server.close();
      await app.close();
    },
  };
}
