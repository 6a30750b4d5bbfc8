import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { silentLogger } from "../../src/logger.js";
import { tempDir } from "../support/cleanup.js";
import { type CliProcess, spawnCli } from "../support/cli.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { eventually, SPAWNED_PROCESS_MS } from "../support/eventually.js";

/** Issue 15: a quiet console — logs in a file, resumed runs shown, SIGHUP stops cleanly. */
function pauseWorkflow(): string {
  const dir = tempDir("workflows");
  writeFileSync(
    join(dir, "pause.yaml"),
    [
      "name: pause",
      "description: Waits a little, then says so.",
      "steps:",
      "  - id: nap",
      "    tool: wait",
      "    with: { seconds: 2 }",
      "  - id: done",
      "    tool: template",
      '    with: { text: "done after the pause" }',
      "",
    ].join("\n"),
  );
  return dir;
}

function startConsole(env: Record<string, string>): CliProcess {
  return spawnCli(["start", "--console"], env);
}

describe("the console at start", () => {
  let testDb: TestDatabase;
  let env: Record<string, string>;
  let logFile: string;

  beforeEach(() => {
    testDb = sqliteDatabase();
    logFile = join(tempDir("logs"), "baton.log");
    env = {
      DATABASE_URL: testDb.url,
      BATON_WORKFLOWS_DIR: pauseWorkflow(),
      BATON_USER: "ada",
      LOG_LEVEL: "info",
      BATON_LOG_FILE: logFile,
    };
  });

  afterEach(async () => {
    await testDb.drop();
  });

  async function executions() {
    const db = await openDatabase({ url: testDb.url, logger: silentLogger });
    try {
      return await new ExecutionRepository(db).list({ limit: 5 });
    } finally {
      await db.close();
    }
  }

  it("stops on SIGHUP with the run interrupted, and the next start resumes it and shows how it ended", async () => {
    const first = startConsole(env);
    first.child.stdin.write("/orchestrate run pause\n");
    await eventually(() => first.stdout().includes("Started pause"), "the run to start", {
      timeoutMs: SPAWNED_PROCESS_MS,
    });
    first.child.kill("SIGHUP");
    expect(await first.exited).toBe(0);
    expect(first.stdout()).toContain("bye");
    const [stopped] = await executions();
    expect(stopped).toMatchObject({ workflowName: "pause", status: "interrupted" });

    const second = startConsole(env);
    try {
      const shown = await eventually(
        () => {
          const out = second.stdout();
          return out.includes("done after the pause") && out;
        },
        "the resumed run's completion on the console",
        { timeoutMs: SPAWNED_PROCESS_MS },
      );
      expect(shown).toContain("── to #console ──");
      expect(shown).toContain(`✅ pause · ${stopped?.id} · succeeded`);
    } finally {
      second.child.stdin.end();
    }
    expect(await second.exited).toBe(0);
    const [finished] = await executions();
    expect(finished).toMatchObject({ id: stopped?.id, status: "succeeded" });

    // Log lines went to the file, said once; none reached the console's output or stderr.
    for (const run of [first, second]) {
      expect(run.stdout()).not.toContain('{"time"');
      expect(run.stderr()).not.toContain('{"time"');
      expect(run.stdout().split(`Logs go to ${logFile}.`).length - 1).toBe(1);
    }
    const logged = readFileSync(logFile, "utf8").trim().split("\n");
    expect(logged.every((line) => JSON.parse(line).time !== undefined)).toBe(true);
    expect(logged.some((line) => line.includes('"msg":"execution recovered"'))).toBe(true);
  });

  it("without BATON_LOG_FILE and not at a terminal, logs stay JSON lines on stderr", async () => {
    const { BATON_LOG_FILE: _unset, ...rest } = env;
    const run = startConsole(rest);
    run.child.stdin.end("/orchestrate status\n");
    expect(await run.exited).toBe(0);
    expect(run.stdout()).not.toContain("Logs go to");
    expect(run.stderr()).toContain('"msg":"workflow version saved"');
  });
});
