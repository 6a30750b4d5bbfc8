import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { ConsoleAdapter } from "../../src/bot/console/console-adapter.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { silentLogger } from "../../src/logger.js";
import { startTestApp, workflowsWithSlowOne } from "../support/app.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";

/** Drives the REPL through streams: type a line, wait for the output to show something. */
class Terminal {
  readonly input = new PassThrough();
  readonly output = new PassThrough();
  text = "";

  constructor() {
    this.output.on("data", (chunk: Buffer) => {
      this.text += chunk.toString();
    });
  }

  type(line: string): void {
    this.input.write(`${line}\n`);
  }

  async waitFor(pattern: RegExp): Promise<string> {
    await eventually(
      () => pattern.test(this.text),
      () => `${pattern} on the terminal, which shows:\n${this.text}`,
    );
    return this.text;
  }
}

describe("console front-end", () => {
  let testDb: TestDatabase;
  let app: App;
  let terminal: Terminal;
  let adapter: ConsoleAdapter;
  let running: Promise<void>;

  beforeEach(async () => {
    testDb = sqliteDatabase();
    app = await startTestApp({ url: testDb.url, workflowsDir: workflowsWithSlowOne() });
    terminal = new Terminal();
    adapter = new ConsoleAdapter({
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
    await testDb.drop();
  });

  async function startSlowRun(): Promise<string> {
    terminal.type("/orchestrate run slow");
    const shown = await terminal.waitFor(/Started slow as `?(ex_[0-9a-f]{16})/);
    return /Started slow as `?(ex_[0-9a-f]{16})/.exec(shown)?.[1] ?? "";
  }

  it("asks y/N before cancelling and cancels on y", async () => {
    const id = await startSlowRun();
    terminal.type(`/orchestrate cancel ${id}`);
    await terminal.waitFor(/\[y\/N\] $/);
    const executions = new ExecutionRepository(app.database);
    expect((await executions.get(id))?.status).toBe("running");
    terminal.type("y");
    await terminal.waitFor(new RegExp(`Cancelled ${id}`));
    expect((await executions.get(id))?.status).toBe("cancelled");
  });

  it("leaves the execution alone when the answer is not yes", async () => {
    const id = await startSlowRun();
    terminal.type(`/orchestrate cancel ${id}`);
    await terminal.waitFor(/\[y\/N\] $/);
    terminal.type("n");
    await terminal.waitFor(/Not confirmed, so nothing was changed\./);
    expect((await new ExecutionRepository(app.database).get(id))?.status).toBe("running");
  });

  it("answers typos with a suggestion", async () => {
    terminal.type("/orchestrate stauts");
    await terminal.waitFor(/Did you mean .*status/);
  });
});
