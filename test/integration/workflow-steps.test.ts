import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { chatRequest, RecordingConversation, startTestApp } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";

/** A local service whose /flaky fails a set number of times before it answers. */
let server: Server;
let base: string;
let failuresLeft = 0;
let hits = 0;

function workflows(): string {
  const dir = tempDir("steps");
  const write = (name: string, lines: string[]) => writeFileSync(join(dir, `${name}.yaml`), `${lines.join("\n")}\n`);
  write("flaky", [
    "name: flaky",
    "inputs:",
    "  base: { required: true }",
    "  path: { required: true }",
    "steps:",
    "  - id: call",
    "    tool: http.get",
    '    with: { url: "{{ input.base }}{{ input.path }}", failOnStatus: true }',
    "    retry: { maxAttempts: 3, delayMs: 5, jitter: 0 }",
    "    timeoutMs: 300",
  ]);
  write("conditional", [
    "name: conditional",
    "inputs:",
    "  mode: { required: true }",
    "steps:",
    "  - id: first",
    "    tool: template",
    '    with: { text: "mode {{ input.mode }}" }',
    "  - id: loud",
    "    tool: template",
    '    when: \'input.mode == "loud" and steps.first.output.text != ""\'',
    '    with: { text: "LOUD" }',
    "  - id: report",
    "    tool: template",
    "    with: { text: '{{ steps.loud.output.text | default: \"quiet\" }}' }",
    "  - id: strict",
    "    tool: template",
    "    when: 'steps.first.output.missing == 1'",
    "    onError: continue",
    '    with: { text: "never" }',
  ]);
  return dir;
}

let testDb: TestDatabase;
let app: App;

beforeAll(async () => {
  server = createServer((request, response) => {
    hits += 1;
    if (request.url === "/missing") return void response.writeHead(404).end("no");
    if (request.url === "/slow") return void setTimeout(() => response.end("late"), 2000).unref();
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      return void response.writeHead(503).end("busy");
    }
    response.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  testDb = sqliteDatabase();
  // The local test server is on loopback: the egress policy refuses it unless an admin allows it.
  app = await startTestApp({ url: testDb.url, workflowsDir: workflows(), env: { BATON_HTTP_ALLOW: "127.0.0.1" } });
});

afterAll(async () => {
  await app.close();
  await testDb.drop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  hits = 0;
  failuresLeft = 0;
});

async function run(path: string) {
  const outcome = await app.dispatcher.dispatch(
    chatRequest(`/orchestrate run flaky base=${base} path=${path}`),
    new RecordingConversation(),
  );
  const { result, reply } = await outcome.settled;
  const id = result?.type === "workflow.run" ? result.execution.id : "";
  const repo = new ExecutionRepository(app.database);
  return { execution: await repo.get(id), attempts: await repo.attempts(id), reply };
}

describe("retry", () => {
  it("retries a transient failure and records every attempt", async () => {
    failuresLeft = 2;
    const { execution, attempts, reply } = await run("/flaky");
    expect(execution?.status).toBe("succeeded");
    expect(attempts.map((a) => [a.attempt, a.status, a.errorCode])).toEqual([
      [1, "failed", "http_error"],
      [2, "failed", "http_error"],
      [3, "succeeded", null],
    ]);
    expect(hits).toBe(3);
    expect(
      reply.blocks.some((b) => b.type === "list" && b.items.some((i) => i.includes("call (http.get) attempt 3"))),
    ).toBe(true);
  });

  it("gives up after maxAttempts", async () => {
    failuresLeft = 5;
    const { execution, attempts } = await run("/flaky");
    expect(execution).toMatchObject({ status: "failed", errorCode: "http_error" });
    expect(attempts).toHaveLength(3);
  });

  it("does not retry a failure that cannot pass (404)", async () => {
    const { execution, attempts } = await run("/missing");
    expect(execution?.status).toBe("failed");
    expect(attempts).toHaveLength(1);
    expect(hits).toBe(1);
  });

  it("retries a step that timed out, each attempt failing with step_timeout", async () => {
    const { execution, attempts } = await run("/slow");
    expect(execution).toMatchObject({
      status: "failed",
      errorCode: "step_timeout",
      errorMessage: "Step timed out after 300 ms.",
    });
    expect(attempts.map((a) => a.errorCode)).toEqual(["step_timeout", "step_timeout", "step_timeout"]);
  });
});

describe("when", () => {
  async function conditional(mode: string) {
    const outcome = await app.dispatcher.dispatch(
      chatRequest(`/orchestrate run conditional mode=${mode}`),
      new RecordingConversation(),
    );
    const { result } = await outcome.settled;
    const id = result?.type === "workflow.run" ? result.execution.id : "";
    const repo = new ExecutionRepository(app.database);
    return { execution: await repo.get(id), attempts: await repo.attempts(id) };
  }

  it("runs a step whose condition holds", async () => {
    const { execution, attempts } = await conditional("loud");
    expect(attempts.map((a) => [a.stepPath, a.status])).toEqual([
      ["first", "succeeded"],
      ["loud", "succeeded"],
      ["report", "succeeded"],
      ["strict", "failed"],
    ]);
    expect(attempts[2]?.output).toEqual({ text: "LOUD" });
    expect(execution?.status).toBe("succeeded");
  });

  it("records a skipped step, which leaves no output behind", async () => {
    const { attempts } = await conditional("calm");
    expect(attempts.map((a) => [a.stepPath, a.status])).toEqual([
      ["first", "succeeded"],
      ["loud", "skipped"],
      ["report", "succeeded"],
      ["strict", "failed"],
    ]);
    expect(attempts[2]?.output).toEqual({ text: "quiet" });
  });

  it("fails a step whose condition reads a missing path, naming it", async () => {
    const { attempts } = await conditional("calm");
    expect(attempts[3]).toMatchObject({
      errorCode: "template_missing_path",
      errorMessage: "Expression path `steps.first.output.missing` does not exist.",
    });
  });
});
