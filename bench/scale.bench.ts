/**
 * `npm run bench:scale` — baton with a year's worth of traffic: 1,000,000 audit entries, 50,000
 * executions and 200,000 LLM ledger rows (the events a digest reads), spread over 90 days. Then it
 * times `history`, `status` and a 7-day digest through the orchestrator, on SQLite and (when
 * BATON_TEST_POSTGRES_URL is set) PostgreSQL. Target: each under 100 ms (median of BENCH_RUNS).
 * Last line: JSON {rows, history_ms, status_ms, digest_ms} (the slower database's figures), plus
 * each database's own.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type App, createApp } from "../src/app.js";
import { ADMIN_PERMISSION } from "../src/commands/context.js";
import { loadConfig } from "../src/config.js";
import type { Database } from "../src/db/database.js";
import { silentLogger } from "../src/logger.js";
import { postgresAdminUrl, postgresDatabase } from "../test/support/databases.js";

const AUDIT_ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000);
const EXECUTIONS = Math.round(AUDIT_ROWS / 20);
const LLM_CALLS = Math.round(AUDIT_ROWS / 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const SPAN_MS = 90 * 24 * 3600_000;
const BATCH = 1000;
const NOW = Date.now();

const context = {
  actor: { id: "bench", name: "bench", platform: "console" },
  origin: { platform: "console", workspace: null, channel: "bench", thread: null },
  permission: ADMIN_PERMISSION,
};

type Value = string | number | null;

function quote(value: Value): string {
  if (value === null) return "NULL";
  if (typeof value === "number") return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}

/** Dates as each dialect stores them through Sequelize (SQLite compares them as text). */
function timestamp(db: Database, ms: number): string {
  const iso = new Date(ms).toISOString();
  return db.dialect === "sqlite" ? `${iso.slice(0, 10)} ${iso.slice(11, 23)} +00:00` : iso;
}

/** Raw multi-row INSERTs, BATCH rows each, 20 statements per transaction. */
async function fill(db: Database, table: string, columns: string[], count: number, row: (i: number) => Value[]) {
  for (let start = 0; start < count; start += BATCH * 20) {
    await db.writes.run(async (transaction) => {
      for (let from = start; from < Math.min(count, start + BATCH * 20); from += BATCH) {
        const rows: string[] = [];
        for (let i = from; i < Math.min(count, from + BATCH); i += 1) rows.push(`(${row(i).map(quote).join(",")})`);
        await db.sequelize.query(`INSERT INTO ${table} (${columns.join(",")}) VALUES ${rows.join(",")}`, {
          transaction,
        });
      }
    });
  }
}

const USERS = Array.from({ length: 60 }, (_, i) => `user${i}`);
const TYPES = ["status", "history", "workflow.run", "execution.show", "execution.list", "ask", "execution.approve"];
const WORKFLOWS = ["healthcheck", "deploy", "backup", "report", "hello"];

/** Row i is (i / count) of the span old: newest first, evenly spread, with a little skew. */
const at = (i: number, count: number) => NOW - Math.floor((i / count) * SPAN_MS) - (i % 7) * 1000;

async function fillAll(db: Database): Promise<void> {
  await fillAudit(db);
  await fillExecutions(db);
  await fillLedger(db);
}

function fillAudit(db: Database): Promise<void> {
  return fill(
    db,
    "audit_entries",
    [
      "created_at",
      "finished_at",
      "platform",
      "channel",
      "actor_id",
      "actor_name",
      "text",
      "command",
      "command_type",
    ].concat(["resolved_by", "outcome", "error_code", "duration_ms", "execution_id", "dedupe_key"]),
    AUDIT_ROWS,
    (i) => {
      const when = at(i, AUDIT_ROWS);
      const type = TYPES[i % TYPES.length] ?? "status";
      const user = USERS[(i * 7) % USERS.length] ?? "user0";
      const failed = i % 50 === 0;
      return [
        timestamp(db, when),
        timestamp(db, when + 120),
        i % 3 === 0 ? "discord" : "slack",
        `C${i % 40}`,
        user,
        user,
        `/orchestrate ${type.split(".").at(-1)} ${i}`,
        JSON.stringify({ type }),
        type,
        "grammar",
        failed ? "error" : "ok",
        failed ? "internal" : null,
        120,
        type === "workflow.run" ? `ex_${(i % EXECUTIONS).toString(16).padStart(8, "0")}` : null,
        `bench:${i}`,
      ];
    },
  );
}

function fillExecutions(db: Database): Promise<void> {
  return fill(
    db,
    "executions",
    [
      "id",
      "workflow_name",
      "workflow_version",
      "status",
      "input",
      "error_code",
      "error_message",
      "requested_by",
    ].concat(["requested_by_name", "platform", "channel", "created_at", "started_at", "finished_at", "updated_at"]),
    EXECUTIONS,
    (i) => {
      const when = at(i, EXECUTIONS);
      const status =
        i < 5 ? "running" : i < 15 ? "waiting" : i % 12 === 0 ? "failed" : i % 40 === 1 ? "cancelled" : "succeeded";
      const user = USERS[(i * 11) % USERS.length] ?? "user0";
      const done = status === "running" || status === "waiting" ? null : timestamp(db, when + 5000);
      return [
        `ex_${i.toString(16).padStart(8, "0")}`,
        WORKFLOWS[i % WORKFLOWS.length] ?? "hello",
        1,
        status,
        JSON.stringify({ target: `svc-${i % 30}` }),
        status === "failed" ? "http_error" : null,
        status === "failed" ? `GET https://svc-${i % 30}.example answered 503` : null,
        user,
        user,
        "slack",
        `C${i % 40}`,
        timestamp(db, when),
        timestamp(db, when),
        done,
        timestamp(db, when + 5000),
      ];
    },
  );
}

function fillLedger(db: Database): Promise<void> {
  return fill(
    db,
    "llm_calls",
    ["created_at", "provider", "model", "purpose", "input_tokens", "output_tokens", "cached_input_tokens"].concat([
      "cache_write_tokens",
      "cost_usd",
      "latency_ms",
      "outcome",
      "actor_id",
    ]),
    LLM_CALLS,
    (i) => [
      timestamp(db, at(i, LLM_CALLS)),
      i % 4 === 0 ? "openai" : "anthropic",
      i % 4 === 0 ? "gpt-4.1-mini" : "claude-haiku-4-5",
      "route",
      900 + (i % 300),
      40 + (i % 60),
      i % 2 === 0 ? 600 : 0,
      0,
      ((1 + (i % 9)) / 1000).toFixed(6),
      300 + (i % 700),
      "ok",
      USERS[i % USERS.length] ?? "user0",
    ],
  );
}

async function median(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i += 1) await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

interface Figures {
  history_ms: number;
  status_ms: number;
  digest_ms: number;
  fill_s: number;
}

async function measure(label: string, url: string): Promise<Figures> {
  const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: "silent", BATON_WORKFLOWS_DIR: "./workflows" });
  const app: App = await createApp(config, silentLogger, { frontEnds: ["bench"], resume: false });
  try {
    const filling = performance.now();
    await fillAll(app.database);
    // Fresh statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` would leave them in production.
    await app.database.sequelize.query("ANALYZE");
    const fill_s = (performance.now() - filling) / 1000;
    const orchestrator = app.orchestrator;
    const week = 7 * 24 * 3600_000;
    const figures = {
      history_ms: await median(() => orchestrator.handle({ type: "history" }, context)),
      status_ms: await median(() => orchestrator.handle({ type: "status" }, context)),
      digest_ms: await median(() => app.digestDesk.compose(week)),
      fill_s,
    };
    const check = (ms: number) => (ms < 100 ? "ok" : "OVER 100 ms");
    console.log(
      `${label}: filled ${AUDIT_ROWS} audit entries, ${EXECUTIONS} executions, ${LLM_CALLS} LLM calls in ${fill_s.toFixed(1)} s`,
    );
    for (const [name, ms] of Object.entries(figures).filter(([name]) => name !== "fill_s")) {
      console.log(`  ${name.replace("_ms", "").padEnd(8)} ${ms.toFixed(2).padStart(8)} ms  ${check(ms)}`);
    }
    return figures;
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-scale-"));
  const results: Record<string, Figures> = {};
  try {
    results.sqlite = await measure("sqlite", `sqlite:${join(dir, "baton.db")}`);
    if (postgresAdminUrl) {
      const pg = await postgresDatabase();
      try {
        results.postgres = await measure("postgres", pg.url);
      } finally {
        await pg.drop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const all = Object.values(results);
  const worst = (key: keyof Figures) => Number(Math.max(...all.map((f) => f[key])).toFixed(2));
  console.log(
    JSON.stringify({
      rows: AUDIT_ROWS,
      history_ms: worst("history_ms"),
      status_ms: worst("status_ms"),
      digest_ms: worst("digest_ms"),
      databases: Object.fromEntries(
        Object.entries(results).map(([name, f]) => [
          name,
          {
            history_ms: +f.history_ms.toFixed(2),
            status_ms: +f.status_ms.toFixed(2),
            digest_ms: +f.digest_ms.toFixed(2),
          },
        ]),
      ),
    }),
  );
}

await main();
