import { Hono } from "hono";
import type { Clock, Timer } from "../clock.js";

/** One thing /readyz checks: null when it is ready, else one sentence saying what is not. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<string | null> | string | null;
}

/** A check that does not answer in this long counts as not ready. */
const CHECK_TIMEOUT_MS = 2000;

/**
 * `/healthz`: the process is alive and serving. `/readyz`: the database answers, its migrations
 * are current and every configured front-end is connected — 503 with a JSON body naming what is
 * not, so a balancer stops sending traffic while it is so.
 */
export function healthRoutes(deps: { checks: () => readonly ReadinessCheck[]; version: string; clock: Clock }): Hono {
  const routes = new Hono();
  routes.get("/healthz", (c) => c.json({ status: "ok", version: deps.version }));
  routes.get("/readyz", async (c) => {
    const results = await Promise.all(
      deps.checks().map(async (check) => [check.name, await run(check, deps.clock)] as const),
    );
    const notReady = results.flatMap(([name, reason]) => (reason === null ? [] : [{ name, reason }]));
    const checks = Object.fromEntries(results.map(([name, reason]) => [name, reason ?? "ok"]));
    if (notReady.length === 0) return c.json({ status: "ready", checks });
    return c.json({ status: "not ready", notReady, checks }, 503);
  });
  return routes;
}

async function run(check: ReadinessCheck, clock: Clock): Promise<string | null> {
  let timer: Timer | undefined;
  const late = new Promise<string>((resolve) => {
    timer = clock.setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(check.check), late]);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    timer?.cancel();
  }
}
