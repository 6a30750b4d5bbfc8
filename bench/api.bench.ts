/**
 * `npm run bench:api` — requests per second for `POST /api/v1/commands` (status, through bearer
 * authentication, the dispatcher, policy and its audit row) beside `GET /healthz` on the same
 * server in the same run (the HTTP floor), over keep-alive connections on a SQLite file.
 * The last line is JSON: { commands_rps, healthz_rps, ratio, … }.
 */

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApp } from "../src/app.js";
import { OneShotConversation } from "../src/bot/one-shot.js";
import { loadConfig } from "../src/config.js";
import { httpSurfaceFor } from "../src/http-surface.js";
import { silentLogger } from "../src/logger.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const WORKFLOWS = fileURLToPath(new URL("../workflows", import.meta.url));

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<number>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** As many requests as `CONCURRENCY` callers make in `SECONDS`; fails on any non-200 answer. */
async function rate(one: () => Promise<number>): Promise<number> {
  const until = performance.now() + SECONDS * 1000;
  let done = 0;
  const worker = async () => {
    while (performance.now() < until) {
      const status = await one();
      if (status !== 200) throw new Error(`answered ${status}`);
      done += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return done / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-api-"));
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dir, "baton.db")}`,
    BATON_WORKFLOWS_DIR: WORKFLOWS,
    LOG_LEVEL: "silent",
    PORT: "0",
  });
  const app = await createApp(config, silentLogger, { frontEnds: ["bench"] });
  const server = await httpSurfaceFor(app, {
    port: 0,
    host: "127.0.0.1",
    ratePerMinute: 1_000_000_000,
    maxBodyBytes: 1024 * 1024,
  });
  const port = await server.listen();
  try {
    const made = await app.dispatcher.dispatch(
      {
        platform: "console",
        workspace: null,
        channel: "bench",
        thread: null,
        actor: { id: "bench", name: "bench", platform: "console", owner: true },
        text: "/orchestrate token create bench",
        dedupeKey: `bench:${randomBytes(6).toString("hex")}`,
        receivedAt: new Date(),
      },
      new OneShotConversation(false, "confirm"),
    );
    if (made.result?.type !== "token.create") throw new Error("no token");
    const auth = { authorization: `Bearer ${made.result.secret}`, "content-type": "application/json" };
    const body = JSON.stringify({ command: { type: "status" } });
    // Warm both paths once, then measure the floor and the command path in the same run.
    await send(port, "GET", "/healthz", {});
    await send(port, "POST", "/api/v1/commands", auth, body);
    const healthz = await rate(() => send(port, "GET", "/healthz", {}));
    const commands = await rate(() => send(port, "POST", "/api/v1/commands", auth, body));
    const figures = {
      commands_rps: Math.round(commands),
      healthz_rps: Math.round(healthz),
      ratio: Number((commands / healthz).toFixed(3)),
      concurrency: CONCURRENCY,
      seconds_each: SECONDS,
      database: "sqlite",
    };
    console.log(`POST /api/v1/commands (status): ${figures.commands_rps} req/s`);
    console.log(`GET /healthz (same server):     ${figures.healthz_rps} req/s`);
    console.log(`ratio commands/healthz:         ${figures.ratio}`);
    console.log(JSON.stringify(figures));
  } finally {
    agent.destroy();
    await server.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
