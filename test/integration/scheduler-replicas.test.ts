import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";
import { DigestRepository } from "../../src/db/repositories/digest-repository.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { ScheduleRepository } from "../../src/db/repositories/schedule-repository.js";
import { silentLogger } from "../../src/logger.js";
import { tempDir } from "../support/cleanup.js";
import { BATON_BIN, WORKFLOWS_DIR } from "../support/cli.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** `baton start` as an operator runs it: its own process, the console front-end, stdin kept open. */
function startReplica(env: Record<string, string>) {
  const child = spawn(process.execPath, [BATON_BIN, "start"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "warn", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  }) as ChildProcessWithoutNullStreams;
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { child, output, exited };
}

describe.each(DATABASE_KINDS)("two baton processes on one $kind database", ({ create }) => {
  let testDb: TestDatabase;
  let db: Database;

  beforeEach(async () => {
    testDb = await create();
    db = await openDatabase({ url: testDb.url, logger: silentLogger });
  });

  afterEach(async () => {
    await db.close();
    await testDb.drop();
  });

  it("run every fire of a schedule once: one post per fire, one execution per fire", async () => {
    const file = join(tempDir("replicas"), "schedules.yaml");
    writeFileSync(
      file,
      [
        "schedules:",
        "  - { id: every-second-digest, cron: '* * * * * *', action: digest, platform: console, channel: ops }",
        "  - { id: every-second-hello, cron: '* * * * * *', action: hello, input: { name: Ada } }",
        "",
      ].join("\n"),
    );
    // Per-second fires make the replicas race often; baton allows them only when the minimum says so.
    const env = {
      DATABASE_URL: testDb.url,
      BATON_SCHEDULES_FILE: file,
      BATON_WORKFLOWS_DIR: WORKFLOWS_DIR,
      BATON_SCHEDULE_MIN_INTERVAL_S: "1",
    };
    const replicas = [startReplica(env), startReplica(env)];
    const schedules = new ScheduleRepository(db);
    const done = async (id: string) => (await schedules.fires(id, 500)).filter((f) => f.status === "done");
    try {
      await eventually(
        async () => (await done("every-second-digest")).length >= 4 && (await done("every-second-hello")).length >= 4,
        "four finished fires of each schedule",
        { timeoutMs: 60_000 },
      );
    } finally {
      for (const replica of replicas) replica.child.stdin.end();
      await Promise.all(replicas.map((replica) => replica.exited));
    }
    const digestFires = await schedules.fires("every-second-digest", 500);
    const posts = replicas.map((r) => r.output.stdout.split("── to #ops ──").length - 1);
    const delivered = (await new DigestRepository(db).deliveries(500)).filter((d) => d.status === "delivered");
    // Each fire time has one row (the unique claim), and exactly one post and one delivery each.
    expect(new Set(digestFires.map((f) => f.fireTime.getTime())).size).toBe(digestFires.length);
    expect(posts.reduce((a, b) => a + b, 0)).toBe(delivered.length);
    expect(delivered.length).toBe(digestFires.filter((f) => f.status === "done").length);
    expect(new Set(delivered.map((d) => d.idempotencyKey)).size).toBe(delivered.length);

    const helloFires = (await schedules.fires("every-second-hello", 500)).filter((f) => f.status === "done");
    const executions = await new ExecutionRepository(db).list({ limit: 100 });
    expect(executions.length).toBe(helloFires.length);
    expect(executions.every((e) => e.workflowName === "hello" && e.requestedBy === "scheduler")).toBe(true);
    expect(executions.every((e) => e.status === "succeeded")).toBe(true);
    for (const replica of replicas) expect(replica.output.stderr).not.toMatch(/"level":"error"/);
  }, 90_000);
});
