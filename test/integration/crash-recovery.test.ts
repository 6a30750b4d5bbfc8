import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { silentLogger } from "../../src/logger.js";
import { tempDir } from "../support/cleanup.js";
import { BATON_BIN } from "../support/cli.js";
import { DATABASE_KINDS, postgresAdminUrl } from "../support/databases.js";
import { eventually, SPAWNED_PROCESS_MS } from "../support/eventually.js";

/**
 * Real processes: `baton start` runs a workflow, is SIGKILLed in the middle of a step, and other
 * `baton start` processes pick the run up once its lease expires. Side effects are counted on a
 * local HTTP server, so a step executed twice would show.
 */
let server: Server;
let base: string;
const hits: Record<string, number> = {};

beforeAll(async () => {
  server = createServer((request, response) => {
    hits[request.url ?? ""] = (hits[request.url ?? ""] ?? 0) + 1;
    response.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function workflows(): string {
  const dir = tempDir("crash");
  const steps = [
    "name: pipeline",
    "inputs:",
    "  base: { required: true }",
    "steps:",
    "  - id: fetch",
    "    tool: http.get",
    '    with: { url: "{{ input.base }}/fetch" }',
    "  - id: nap",
    "    tool: wait",
    "    with: { ms: 2000 }",
    "  - id: report",
    "    tool: http.get",
    '    with: { url: "{{ input.base }}/report" }',
  ];
  writeFileSync(join(dir, "pipeline.yaml"), `${steps.join("\n")}\n`);
  return dir;
}

function startBaton(env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BATON_BIN, "start"], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", BATON_LEASE_MS: "1500", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

async function stop(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((resolve) => child.on("close", resolve));
  child.stdin.end();
  await closed;
}

describe.each(DATABASE_KINDS)("crash recovery with real processes on $kind", ({ kind, create }) => {
  it(
    `resumes a SIGKILLed run exactly once${kind === "postgres" ? ", with two processes competing for it" : ""}`,
    async () => {
      for (const key of Object.keys(hits)) delete hits[key];
      const database = await create();
      // The local test server is on loopback: the egress policy refuses it unless an admin allows it.
      const env = { DATABASE_URL: database.url, BATON_WORKFLOWS_DIR: workflows(), BATON_HTTP_ALLOW: "127.0.0.1" };
      let db: Database | null = null;
      const children: ChildProcessWithoutNullStreams[] = [];
      try {
        const doomed = startBaton(env);
        doomed.stdin.write(`/orchestrate run pipeline base=${base}\n`);
        db = await eventually(
          () => openDatabase({ url: database.url, logger: silentLogger, migrate: false }),
          "the database the first process migrates",
          { timeoutMs: SPAWNED_PROCESS_MS },
        );
        const repo = new ExecutionRepository(db);
        const running = await eventually(
          async () => {
            const [execution] = await repo.list({ limit: 1 });
            const attempts = execution ? await repo.attempts(execution.id) : [];
            return attempts.some((a) => a.stepPath === "nap" && a.status === "running") && execution;
          },
          "the run's nap step running in the first process",
          { timeoutMs: SPAWNED_PROCESS_MS },
        );
        doomed.kill("SIGKILL");
        await new Promise((resolve) => doomed.on("close", resolve));

        // On PostgreSQL two replicas start together and race for the run; on SQLite one restarts.
        const restarts = kind === "postgres" ? 2 : 1;
        for (let i = 0; i < restarts; i += 1) children.push(startBaton(env));
        const done = await eventually(
          async () => {
            const execution = await repo.get(running.id);
            return execution?.status === "succeeded" && execution;
          },
          "the run resumed to success by the restarted process",
          { timeoutMs: SPAWNED_PROCESS_MS },
        );
        expect(done.status).toBe("succeeded");
        expect(hits).toEqual({ "/fetch": 1, "/report": 1 });
        const attempts = await repo.attempts(done.id);
        expect(attempts.map((a) => [a.stepPath, a.status])).toEqual([
          ["fetch", "succeeded"],
          ["nap", "interrupted"],
          ["nap", "succeeded"],
          ["report", "succeeded"],
        ]);
      } finally {
        for (const child of children) await stop(child);
        await db?.close();
        await database.drop();
      }
    },
    4 * SPAWNED_PROCESS_MS,
  );
});

if (!postgresAdminUrl) console.warn("The two-process lease test needs PostgreSQL (BATON_TEST_POSTGRES_URL): skipped.");
