/**
 * `npm run bench:dispatch` — requests per second through the whole dispatcher on a SQLite file
 * (grammar → policy → status → audit row), beside the cost of the audit write alone and an
 * in-process baseline (grammar + policy, no persistence) measured in the same run.
 * The last line is JSON: { msgs_per_s, audit_write_us, … }.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApp } from "../src/app.js";
import type { Conversation } from "../src/bot/chat.js";
import { decideAccess } from "../src/commands/access/evaluate.js";
import { RoleBook } from "../src/commands/access/roles.js";

import { loadConfig } from "../src/config.js";
import { AuditRepository } from "../src/db/repositories/audit-repository.js";
import { silentLogger } from "../src/logger.js";
import { parseCommandText } from "../src/routing/grammar.js";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const WORKFLOWS = fileURLToPath(new URL("../workflows", import.meta.url));

const quiet: Conversation = {
  post: async () => ({ id: "0" }),
  update: async () => undefined,
  confirm: async () => false,
};

const actor = { id: "bench", name: "bench", platform: "console" };

async function timed(count: number, concurrency: number, one: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) await one(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}

function baseline(count: number): number {
  const book = new RoleBook();
  const holder = {
    accounts: ["console:bench"],
    groups: [],
    groupError: null,
    groupPlatforms: [],
    configuredAdmin: null,
  };
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const parsed = parseCommandText("/orchestrate status");
    if (parsed.kind === "command") decideAccess({ book, grants: [], holder, channel: "bench" }, parsed.command);
  }
  return performance.now() - started;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-"));
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dir, "bench.db")}`,
    BATON_WORKFLOWS_DIR: WORKFLOWS,
    LOG_LEVEL: "silent",
  });
  const app = await createApp(config, silentLogger, { frontEnds: ["bench"], resume: false });
  try {
    const request = (i: number) => ({
      platform: "console",
      workspace: null,
      channel: "bench",
      thread: null,
      actor,
      text: "/orchestrate status",
      dedupeKey: `bench:${i}:${Math.random()}`,
      receivedAt: new Date(),
    });
    await timed(100, 4, (i) => app.dispatcher.dispatch(request(-i - 1), quiet)); // warm-up
    const sequentialMs = await timed(REQUESTS, 1, (i) => app.dispatcher.dispatch(request(i), quiet));
    const concurrentMs = await timed(REQUESTS, CONCURRENCY, (i) =>
      app.dispatcher.dispatch(request(REQUESTS + i), quiet),
    );

    const audit = new AuditRepository(app.database);
    const closing = {
      command: { type: "status" },
      commandType: "status",
      resolvedBy: "grammar",
      confidence: 1,
      outcome: "ok" as const,
      errorCode: null,
      errorMessage: null,
      durationMs: 1,
      executionId: null,
      llm: null,
    };
    const auditMs = await timed(REQUESTS, 1, async (i) => {
      const opened = await audit.open({
        ...request(10 * REQUESTS + i),
        at: new Date(),
        actorId: "bench",
        actorName: "bench",
        text: "x",
        dedupeKey: `audit:${i}`,
      });
      if (opened !== "duplicate") await audit.close(opened.id, { ...closing, finishedAt: new Date() });
    });
    const baselineCount = REQUESTS * 50;
    const baselineMs = baseline(baselineCount);

    const figures = {
      requests: REQUESTS,
      concurrency: CONCURRENCY,
      msgs_per_s: Math.round((REQUESTS / concurrentMs) * 1000),
      sequential_msgs_per_s: Math.round((REQUESTS / sequentialMs) * 1000),
      audit_write_us: Math.round((auditMs / REQUESTS) * 1000),
      baseline_msgs_per_s: Math.round((baselineCount / baselineMs) * 1000),
    };
    const ratio = figures.baseline_msgs_per_s / figures.msgs_per_s;
    console.log(`dispatcher, SQLite, ${CONCURRENCY} in flight:  ${figures.msgs_per_s} msgs/s`);
    console.log(`dispatcher, SQLite, one at a time:  ${figures.sequential_msgs_per_s} msgs/s`);
    console.log(`audit row alone (insert + close):   ${figures.audit_write_us} µs`);
    console.log(
      `baseline, grammar + policy only:    ${figures.baseline_msgs_per_s} msgs/s (in process, no persistence)`,
    );
    console.log(`durable dispatch is ${ratio.toFixed(0)}× slower than the in-process baseline`);
    console.log(JSON.stringify({ ...figures, baseline_ratio: Number(ratio.toFixed(1)) }));
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
