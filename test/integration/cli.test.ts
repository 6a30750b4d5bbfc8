import { spawn } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { silentLogger } from "../../src/logger.js";
import { workflowsWithSlowOne } from "../support/app.js";
import { BATON_BIN, runCli, WORKFLOWS_DIR } from "../support/cli.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { eventually, SPAWNED_PROCESS_MS } from "../support/eventually.js";
import { startFakeAnthropic } from "../support/fake-anthropic.js";

describe("the baton CLI", () => {
  let testDb: TestDatabase;
  let env: Record<string, string>;

  beforeEach(() => {
    testDb = sqliteDatabase();
    env = { DATABASE_URL: testDb.url, BATON_WORKFLOWS_DIR: WORKFLOWS_DIR, BATON_USER: "ada" };
  });

  afterEach(async () => {
    await testDb.drop();
  });

  async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
    const db = await openDatabase({ url: testDb.url, logger: silentLogger });
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  }

  it("say --json runs a workflow to the end and reports the execution", async () => {
    const run = await runCli(["say", "/orchestrate run hello name=Ada", "--json"], env);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as Record<string, unknown> & {
      result: { execution: { id: string; status: string } };
    };
    expect(printed).toMatchObject({
      command: { type: "workflow.run", workflow: "hello", input: { name: "Ada" } },
      resolvedBy: "grammar",
      outcome: "ok",
      reply: { text: expect.stringContaining("Hello, Ada!") },
      result: { type: "workflow.run", execution: { status: "succeeded", workflowName: "hello" } },
    });
    const stored = await withDatabase((db) => new ExecutionRepository(db).get(printed.result.execution.id));
    expect(stored?.status).toBe("succeeded");
    const [row] = await withDatabase((db) => new AuditRepository(db).recent({ limit: 1 }));
    expect(row).toMatchObject({
      actorId: "ada",
      platform: "console",
      outcome: "ok",
      executionId: printed.result.execution.id,
    });
  });

  it("grant, access, whoami and revoke manage grants from the shell", async () => {
    const granted = await runCli(["grant", "console:lin", "operator"], env);
    expect(granted.stdout).toContain("console:lin is now operator everywhere.");
    const whoami = await runCli(["whoami", "--user", "lin"], env);
    expect(whoami.stdout).toContain("Your roles here: operator.");
    const access = await runCli(["access"], env);
    expect(access.stdout).toContain("console:lin — operator everywhere (granted by console:ada");
    const revoked = await runCli(["revoke", "console:lin", "operator", "--yes"], env);
    expect(revoked.stdout).toContain("Revoked operator everywhere from console:lin.");
    const after = await runCli(["whoami", "--user", "lin"], env);
    expect(after.stdout).toContain("Your roles here: viewer.");
  });

  it("say understands plain language through the rules router", async () => {
    // --user acts as that person, who needs a role to run workflows (README "Permissions").
    const run = await runCli(["say", "run the hello workflow for Grace", "--json", "--user", "lin"], {
      ...env,
      BATON_ADMINS: "console:lin",
    });
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { resolvedBy: string; reply: { text: string } };
    expect(printed.resolvedBy).toBe("rules");
    expect(printed.reply.text).toContain("Hello, Grace!");
    const status = await runCli(["say", "what's running?"], env);
    expect(status.stdout).toMatch(/^baton status\n/);
    expect(status.stdout).toContain("✅ 1 succeeded");
    const history = await runCli(["say", "show me the last 5 commands"], env);
    expect(history.stdout).toContain("lin · “run the hello workflow for Grace” → workflow.run via rules · ok");
  });

  it("say asks for a missing input (exit code 3), and the next say answers it; so does the REPL's next line", async () => {
    const asked = await runCli(["say", "kick off hello", "--json"], env);
    expect(asked.code).toBe(3);
    const printed = JSON.parse(asked.stdout) as { question: string; outcome: string };
    expect(printed.question).toContain("To run hello I need `name` (Who to greet).");
    const answered = await runCli(["say", "Ada"], env);
    expect(answered.code).toBe(0);
    expect(answered.stdout).toContain("Hello, Ada!");
    const repl = await runCli(["start"], env, ["run hello", "Grace", ""].join("\n"));
    expect(repl.stdout).toContain("To run hello I need name (Who to greet).");
    expect(repl.stdout).toContain("Hello, Grace!");
  });

  it("say asks for --yes before a destructive command, and changes nothing without it", async () => {
    const id = "ex_0000beef";
    await withDatabase(async (db) => {
      const now = new Date();
      // An execution another live process is running: its lease has not expired.
      await new ExecutionRepository(db).create({
        id,
        workflowName: "hello",
        workflowVersion: 1,
        status: "running",
        input: { name: "Ada" },
        requestedBy: "lin",
        requestedByName: "lin",
        platform: "console",
        channel: null,
        thread: null,
        leaseOwner: "other-process",
        leaseExpiresAt: new Date(now.getTime() + 600_000),
        createdAt: now,
        startedAt: now,
      });
    });
    const refused = await runCli(["say", `/orchestrate cancel ${id}`, "--json"], env);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      outcome: "denied",
      reply: { text: expect.stringMatching(/needs confirmation: run it again with --yes/) },
    });
    expect(await withDatabase((db) => new ExecutionRepository(db).get(id))).toMatchObject({ status: "running" });

    const confirmed = await runCli(["say", `/orchestrate cancel ${id}`, "--yes"], env);
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain(`Cancelled ${id}`);
    expect(await withDatabase((db) => new ExecutionRepository(db).get(id))).toMatchObject({ status: "cancelled" });
    const rows = await withDatabase((db) => new AuditRepository(db).recent({ limit: 2 }));
    expect(rows.map((r) => [r.outcome, r.errorCode])).toEqual([
      ["ok", null],
      ["denied", "confirmation_required"],
    ]);
  });

  it("spawn without an LLM says what to configure and creates no agent", async () => {
    const run = await runCli(["say", "/orchestrate spawn sre"], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "Agents need an LLM provider: set ANTHROPIC_API_KEY, OPENAI_API_KEY or OPENAI_BASE_URL",
    );
    const agents = await withDatabase((db) => db.raw.all<{ id: string }>("SELECT id FROM agents", []));
    expect(agents).toEqual([]);
  });

  it("route says that a dry run which asked an LLM is billed like any request", async () => {
    const anthropic = await startFakeAnthropic();
    try {
      anthropic.enqueue({ toolCall: { name: "execution_list", arguments: {} } });
      const run = await runCli(["route", "could you pull up whatever broke recently"], {
        ...env,
        ANTHROPIC_API_KEY: "test-anthropic-key",
        ANTHROPIC_BASE_URL: anthropic.url,
        LLM_PROVIDERS: "anthropic",
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('"type":"execution.list"');
      expect(run.stdout).toMatch(/\(asked anthropic: \$\d+\.\d{4}, counted in today's LLM spend like any request\)/);
    } finally {
      await anthropic.close();
    }
  });

  it("route prints how each stdin line resolves, one JSON object per line, without running anything", async () => {
    const lines = [
      "/orchestrate status",
      "show me the last 5 commands",
      "run the hello workflow for Ada",
      "purple monkey",
    ];
    const run = await runCli(["route", "--json"], env, `${lines.join("\n")}\n`);
    expect(run.code).toBe(0);
    const printed = run.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { command: unknown; resolvedBy: string; confidence: number | null });
    expect(printed).toHaveLength(4);
    expect(printed[0]).toEqual({ command: { type: "status" }, resolvedBy: "grammar", confidence: 1 });
    expect(printed[1]).toMatchObject({ command: { type: "history", limit: 5 }, resolvedBy: "rules" });
    expect(printed[2]).toMatchObject({ command: { type: "workflow.run", workflow: "hello", input: { name: "Ada" } } });
    expect(printed[3]).toMatchObject({ command: null, resolvedBy: "rules" });
    expect(await withDatabase((db) => new AuditRepository(db).recent({ limit: 5 }))).toEqual([]);
  });

  it("refuses to start with a bad environment, naming every bad variable, exit code 2", async () => {
    const run = await runCli(["say", "/orchestrate status"], { ...env, LOG_LEVEL: "loud", TZ: "Mars/Olympus" });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/invalid configuration/);
    expect(run.stderr).toMatch(/LOG_LEVEL: expected one of debug, info, warn, error, silent/);
    expect(run.stderr).not.toContain("loud");
    expect(run.stderr).toMatch(/TZ: expected an IANA time zone/);
  });

  it("migrate applies the migrations once", async () => {
    const first = await runCli(["migrate"], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Applied 0001-initial");
    const second = await runCli(["migrate"], env);
    expect(second.stdout).toContain("is up to date");
  });

  it("start runs the console REPL on stdin and answers each line", async () => {
    const input = ["/orchestrate status", "/orchestrate run hello name=Ada", "show me the last 5 commands", ""].join(
      "\n",
    );
    const run = await runCli(["start"], env, input);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("baton is ready, ada.");
    expect(run.stdout).toContain("baton status");
    expect(run.stdout).toContain("Hello, Ada!");
    expect(run.stdout).toContain("“/orchestrate run hello name=Ada” → workflow.run via grammar · ok");
    expect(run.stdout.trim().endsWith("bye")).toBe(true);
  });

  it("records in-flight work as interrupted when stopped by SIGTERM", async () => {
    const slowEnv = { ...env, BATON_WORKFLOWS_DIR: workflowsWithSlowOne() };
    const child = spawn(process.execPath, [BATON_BIN, "start"], {
      env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", ...slowEnv },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    const started = new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("Started slow")) resolve();
      });
    });
    child.stdin.write("/orchestrate run slow\n");
    await started;
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const [execution] = await withDatabase((db) => new ExecutionRepository(db).list({ limit: 1 }));
    expect(execution).toMatchObject({ workflowName: "slow", status: "interrupted", errorCode: "interrupted" });
    const attempts = await withDatabase((db) => new ExecutionRepository(db).attempts(execution?.id ?? ""));
    expect(attempts.map((a) => [a.stepPath, a.status])).toEqual([["nap", "interrupted"]]);
  });

  it("say stops a run as interrupted on Ctrl-C, closes its audit row and exits 130", async () => {
    const slowEnv = { ...env, BATON_WORKFLOWS_DIR: workflowsWithSlowOne() };
    const child = spawn(process.execPath, [BATON_BIN, "say", "/orchestrate run slow", "--json"], {
      env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", ...slowEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const running = await eventually(
      async () => {
        const found = await withDatabase((db) => new ExecutionRepository(db).list({ status: "running", limit: 1 }));
        return found.length > 0 && found;
      },
      "the run the other process started",
      { timeoutMs: SPAWNED_PROCESS_MS },
    );
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(JSON.parse(stdout)).toMatchObject({ result: { execution: { id: running[0]?.id, status: "interrupted" } } });
    const [row] = await withDatabase((db) => new AuditRepository(db).recent({ limit: 1 }));
    expect(row).toMatchObject({ outcome: "ok", executionId: running[0]?.id });
    expect(row?.finishedAt).not.toBeNull();
  });
});
