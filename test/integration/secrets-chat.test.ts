import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { ConsoleAdapter } from "../../src/bot/console/console-adapter.js";
import { type Database, openDatabase } from "../../src/db/database.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { silentLogger } from "../../src/logger.js";
import { startTestApp } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { runCli } from "../support/cli.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";
import { tablesContaining } from "../support/raw-tables.js";

// Built at run time so no secret-shaped literal sits in the repository.
const join$ = (...parts: string[]) => parts.join("");

/** A workflow that would happily take a token and a password as inputs, and one declaring `secret: true`. */
function workflowsDir(): string {
  const dir = tempDir("secret-workflows");
  writeFileSync(
    join(dir, "deploy.yaml"),
    [
      "name: deploy",
      "description: Deploys with credentials typed as inputs (the wrong way).",
      "inputs:",
      "  token: {}",
      "  password: {}",
      "  signing: { secret: true }",
      "  env: { default: staging }",
      "steps:",
      "  - id: say",
      "    tool: template",
      '    with: { text: "deploying {{ input.env }} with {{ input.token }} {{ input.password }} {{ input.signing }}" }',
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "hello.yaml"),
    [
      "name: hello",
      "inputs:",
      "  name: { required: true }",
      "steps:",
      "  - id: greet",
      "    tool: template",
      '    with: { text: "Hello, {{ input.name }}!" }',
      "",
    ].join("\n"),
  );
  return dir;
}

const REFUSAL = /baton did not store or run this request because .* add it as a baton secret instead .*BATON_SECRET_/;

/** Drives the console REPL through streams: type a line, wait for the output to show something. */
class Terminal {
  readonly input = new PassThrough();
  readonly output = new PassThrough();
  text = "";

  constructor() {
    this.output.on("data", (chunk: Buffer) => {
      this.text += chunk.toString();
    });
  }

  async say(line: string, expected: RegExp): Promise<string> {
    const before = this.text.length;
    this.input.write(`${line}\n`);
    const answer = () => this.text.slice(before);
    await eventually(
      () => expected.test(answer()),
      () => `${expected} in the answer, which was:\n${answer()}`,
    );
    return answer();
  }
}

async function withDatabase<T>(url: string, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase({ url, logger: silentLogger });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

describe("a secret typed into chat (issue 12)", () => {
  let testDb: TestDatabase;
  let dir: string;

  beforeAll(() => {
    dir = workflowsDir();
  });

  beforeEach(() => {
    testDb = sqliteDatabase();
  });

  afterEach(async () => {
    await testDb.drop();
  });

  it("`run deploy token=PlainOpaqueValue42 password=CorrectHorseBattery` through the CLI is refused with one sentence, and nothing is stored", async () => {
    const env = { DATABASE_URL: testDb.url, BATON_WORKFLOWS_DIR: dir, BATON_USER: "ada", LOG_LEVEL: "debug" };
    const run = await runCli(
      ["say", "/orchestrate run deploy token=PlainOpaqueValue42 password=CorrectHorseBattery", "--json"],
      env,
    );
    const printed = JSON.parse(run.stdout) as { outcome: string; reply: { text: string }; result: unknown };
    expect(printed.reply.text).toBe(
      "baton did not store or run this request because `token` and `password` are secrets; add it as a baton secret instead (the environment variable `BATON_SECRET_TOKEN`, or the key `TOKEN` in the BATON_SECRETS_FILE) and have the workflow use `{{ secrets.TOKEN }}`.",
    );
    expect(printed).toMatchObject({ outcome: "invalid", result: null });
    for (const output of [run.stdout, run.stderr]) {
      expect(output).not.toContain("PlainOpaqueValue42");
      expect(output).not.toContain("CorrectHorseBattery");
    }
    await withDatabase(testDb.url, async (db) => {
      expect(await tablesContaining(db, ["PlainOpaqueValue42", "CorrectHorseBattery"])).toEqual([]);
      const [row] = await new AuditRepository(db).recent({ limit: 1 });
      expect(row).toMatchObject({ outcome: "invalid", errorCode: "secret_in_chat", executionId: null });
      // The row keeps the sentence the person read, not a copy mangled by redaction.
      expect(row?.errorMessage).toBe(printed.reply.text);
      expect(row?.text).toBe("/orchestrate run deploy token=[REDACTED] password=[REDACTED]");
      expect(row?.command).toEqual({
        type: "workflow.run",
        workflow: "deploy",
        input: { token: "[REDACTED]", password: "[REDACTED]" },
      });
      const executions = await db.raw.all<{ id: string }>("SELECT id FROM executions", []);
      expect(executions).toEqual([]);
    });
  });

  describe("through the console", () => {
    let app: App;
    let terminal: Terminal;
    let running: Promise<void>;

    beforeEach(async () => {
      app = await startTestApp({ url: testDb.url, workflowsDir: dir });
      terminal = new Terminal();
      const adapter = new ConsoleAdapter({
        dispatcher: app.dispatcher,
        input: terminal.input,
        output: terminal.output,
        user: "ada",
        clock: app.clock,
        logger: silentLogger,
        session: "test",
      });
      running = adapter.run();
    });

    afterEach(async () => {
      terminal.input.end();
      await running;
      await app.close();
    });

    async function refusedAndNotStored(line: string, secret: string): Promise<void> {
      const shown = await terminal.say(line, REFUSAL);
      expect(shown).not.toContain(secret);
      await app.eventLog.flush();
      expect(await tablesContaining(app.database, [secret])).toEqual([]);
      const [row] = await app.rows.audit.recent({ limit: 1 });
      expect(row).toMatchObject({ outcome: "invalid", errorCode: "secret_in_chat" });
    }

    it("refuses an input the workflow declares `secret: true`, and blanks it in the audit text", async () => {
      await refusedAndNotStored("/orchestrate run deploy signing=QuietlyOpaque77 env=prod", "QuietlyOpaque77");
      const [row] = await app.rows.audit.recent({ limit: 1 });
      expect(row?.text).toBe("/orchestrate run deploy signing=[REDACTED] env=prod");
    });

    it("refuses /improve feedback that carries a secret (feedback.text and feedback.received stay clean)", async () => {
      await refusedAndNotStored("/improve next time use password=Hunter2Staple", "Hunter2Staple");
      const token = join$("ghp_", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789");
      await refusedAndNotStored(`/improve the deploy needs ${token}`, token);
      const rows = await app.database.raw.all("SELECT * FROM feedback", []);
      expect(rows).toEqual([]);
    });

    it("refuses an agent's context that carries a secret (agents.config stays clean)", async () => {
      const key = join$("sk-ant-", "api03-", "AbCdEfGhIjKlMnOpQrStUvWxYz012345");
      await refusedAndNotStored(`/orchestrate spawn researcher use the key ${key} for the API`, key);
      expect(await app.database.raw.all("SELECT * FROM agents", [])).toEqual([]);
    });

    it.each([
      [
        "a fine-grained GitHub token",
        join$("github_pat_", "11ABCDEFG0123456789abc_", "defghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"),
      ],
      ["an AWS temporary key id", join$("ASIA", "QWERTYUIOPASDFGH")],
      ["a redis URL's password", join$("redis://:", "CachePass991", "@cache.internal:6379")],
      ["a bare AWS secret key", join$("wJalrXUtnFEMI/K7MDENG/", "bPxRfiCYEXAMPLEKEY")],
    ])("refuses %s typed as an ordinary input", async (_label, secret) => {
      const needle = secret.includes("redis") ? "CachePass991" : secret;
      await refusedAndNotStored(`/orchestrate run hello name=${secret}`, needle);
    });

    it("still runs an ordinary request and records it as typed", async () => {
      await terminal.say("/orchestrate run hello name=Ada", /Hello, Ada!/);
      const [row] = await app.rows.audit.recent({ limit: 1 });
      expect(row).toMatchObject({ outcome: "ok", text: "/orchestrate run hello name=Ada" });
    });
  });
});

describe("a bad BATON_SECRETS_FILE", () => {
  let testDb: TestDatabase;

  beforeAll(() => {
    testDb = sqliteDatabase();
  });

  afterAll(async () => {
    await testDb.drop();
  });

  it("stops the CLI with one sentence naming the file and what is wrong, never a value", async () => {
    const file = join(tempDir("secrets"), "secrets.yaml");
    writeFileSync(file, "API_TOKEN: [ValueThatMustNotShow\n");
    const run = await runCli(["say", "/orchestrate status"], {
      DATABASE_URL: testDb.url,
      BATON_SECRETS_FILE: file,
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`${file} (BATON_SECRETS_FILE) is not valid YAML or JSON`);
    expect(`${run.stdout}${run.stderr}`).not.toContain("ValueThatMustNotShow");
  });
});
