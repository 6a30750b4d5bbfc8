/**
 * `npm run bench:events` — what persisting every orchestrator event costs the engine: the same
 * 5-step workflow on SQLite with the event log attached and detached, measured in the same run
 * (alternating blocks, so drift hits both). Each run emits 12 events (started, 5 × step started
 * and finished, finished). Last line: JSON with ms_per_run, baseline_ms_per_run, ratio, events_stored.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type App, createApp } from "../src/app.js";
import { ADMIN_PERMISSION } from "../src/commands/context.js";
import { loadConfig } from "../src/config.js";
import { silentLogger } from "../src/logger.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const BLOCKS = 4;
const context = {
  actor: { id: "bench", name: "bench", platform: "console" },
  origin: { platform: "console", workspace: null, channel: null, thread: null },
  permission: ADMIN_PERMISSION,
};

function workflowsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-events-wf-"));
  const steps = ["s1", "s2", "s3", "s4", "s5"].flatMap((id) => [
    `  - id: ${id}`,
    "    tool: template",
    `    with: { text: "${id}" }`,
  ]);
  writeFileSync(join(dir, "linear.yaml"), `${["name: linear", "steps:", ...steps].join("\n")}\n`);
  return dir;
}

async function open(dir: string, name: string, workflows: string): Promise<App> {
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}`,
    BATON_WORKFLOWS_DIR: workflows,
    LOG_LEVEL: "silent",
  });
  return createApp(config, silentLogger, { frontEnds: ["bench"], resume: false });
}

async function runOnce(app: App): Promise<void> {
  const result = await app.orchestrator.handle({ type: "workflow.run", workflow: "linear", input: {} }, context);
  if (result.type !== "workflow.run") throw new Error("unexpected result");
  const done = await app.followUps.waitUntilSettled(result.execution.id);
  if (done?.status !== "succeeded") throw new Error(`run ${result.execution.id} ${done?.status}`);
}

async function block(app: App, runs: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < runs; i += 1) await runOnce(app);
  return performance.now() - started;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-events-"));
  const workflows = workflowsDir();
  const logged = await open(dir, "logged", workflows);
  const baseline = await open(dir, "baseline", workflows);
  // Detached: the baseline engine emits the same events, but nothing persists them.
  await baseline.eventLog.close();
  try {
    for (let i = 0; i < 10; i += 1) await Promise.all([runOnce(logged), runOnce(baseline)]); // warm-up
    const perBlock = Math.max(1, Math.floor(RUNS / BLOCKS));
    let withLog = 0;
    let without = 0;
    for (let b = 0; b < BLOCKS; b += 1) {
      withLog += await block(logged, perBlock);
      without += await block(baseline, perBlock);
    }
    await logged.eventLog.flush();
    const stored = await logged.database.models.Event.count();
    const runs = perBlock * BLOCKS;
    const figures = {
      runs,
      ms_per_run: Number((withLog / runs).toFixed(3)),
      baseline_ms_per_run: Number((without / runs).toFixed(3)),
      ratio: Number((withLog / without).toFixed(3)),
      events_stored: stored,
    };
    console.log(`with the event log:    ${figures.ms_per_run} ms per 5-step run (${stored} events stored)`);
    console.log(`without (baseline):    ${figures.baseline_ms_per_run} ms per 5-step run`);
    console.log(`with / without = ${figures.ratio}×`);
    console.log(JSON.stringify(figures));
  } finally {
    await logged.close();
    await baseline.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(workflows, { recursive: true, force: true });
  }
}

await main();
