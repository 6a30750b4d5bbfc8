import { writeFileSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { ADMIN_PERMISSION } from "../../src/commands/context.js";
import { ExecutionRepository, type StepAttemptRecord } from "../../src/db/repositories/execution-repository.js";
import { startTestApp } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";

/**
 * How the engine writes a step: one finished row for a quick repeatable step, a `running` row
 * before a step that is not safe to repeat, and a cancel from another process seen at the next
 * write (no further step starts).
 */
const context = {
  actor: { id: "ada", name: "Ada", platform: "console" },
  origin: { platform: "console", workspace: null, channel: null, thread: null },
  permission: ADMIN_PERMISSION,
};

let server: Server;
let base: string;
const hits: Record<string, number> = {};
/** What the attempts table said while the POST was being handled. */
let rowsDuringPost: StepAttemptRecord[] = [];
let app: App | null = null;
let other: App | null = null;
/** Requests to /slow, unanswered until the test lets them go: a cancel always lands while the first step runs. */
const heldSlow: ServerResponse[] = [];
const releaseSlow = () => {
  for (const response of heldSlow.splice(0)) response.writeHead(200).end("ok");
};

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? "";
    hits[path] = (hits[path] ?? 0) + 1;
    if (path === "/post") {
      // The run in flight is the newest execution; read what its attempts say right now.
      const executions = new ExecutionRepository((app as App).database);
      void executions
        .list({ limit: 1 })
        .then(([latest]) => executions.attempts(latest?.id ?? ""))
        .then((rows) => {
          rowsDuringPost = rows;
          response.writeHead(200).end("posted");
        });
      return;
    }
    if (path === "/slow") return void heldSlow.push(response);
    response.writeHead(200).end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function workflows(): string {
  const dir = tempDir("step-writes");
  const write = (name: string, steps: string[]) =>
    writeFileSync(join(dir, `${name}.yaml`), [`name: ${name}`, "steps:", ...steps, ""].join("\n"));
  write("quick", ["  - id: hi", "    tool: template", '    with: { text: "hi" }']);
  write("post", ["  - id: send", "    tool: http.post", `    with: { url: "${base}/post", body: "x" }`]);
  write("twostep", [
    "  - id: first",
    "    tool: http.get",
    `    with: { url: "${base}/slow" }`,
    "  - id: second",
    "    tool: http.get",
    `    with: { url: "${base}/after" }`,
  ]);
  return dir;
}

describe.each(DATABASE_KINDS)("step writes on $kind", ({ create }) => {
  let database: TestDatabase;
  let dir: string;

  beforeEach(async () => {
    database = await create();
    dir = workflows();
    // The local test server is on loopback: the egress policy refuses it unless an admin allows it.
    app = await startTestApp({ url: database.url, workflowsDir: dir, env: { BATON_HTTP_ALLOW: "127.0.0.1" } });
    for (const key of Object.keys(hits)) delete hits[key];
    rowsDuringPost = [];
  });

  afterEach(async () => {
    releaseSlow();
    await other?.close();
    await app?.close();
    other = null;
    app = null;
    await database.drop();
  });

  async function run(workflow: string, input: Record<string, string> = {}) {
    const result = await (app as App).orchestrator.handle({ type: "workflow.run", workflow, input }, context);
    if (result.type !== "workflow.run") throw new Error(`unexpected ${result.type}`);
    return result.execution.id;
  }

  it("writes a quick repeatable step once, already finished", async () => {
    const id = await run("quick");
    const done = await (app as App).followUps.waitUntilSettled(id);
    expect(done?.status).toBe("succeeded");
    expect(done?.output).toEqual({ hi: { text: "hi" } });
    const attempts = await new ExecutionRepository((app as App).database).attempts(id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ stepPath: "hi", status: "succeeded", output: { text: "hi" } });
    expect(attempts[0]?.finishedAt).toBeInstanceOf(Date);
  });

  it("writes the running row of a step that is not safe to repeat before the tool runs", async () => {
    const id = await run("post");
    expect((await (app as App).followUps.waitUntilSettled(id))?.status).toBe("succeeded");
    expect(hits["/post"]).toBe(1);
    expect(rowsDuringPost.map((a) => [a.stepPath, a.status])).toEqual([["send", "running"]]);
    const attempts = await new ExecutionRepository((app as App).database).attempts(id);
    expect(attempts.map((a) => [a.stepPath, a.status])).toEqual([["send", "succeeded"]]);
  });

  it("stops before the next step when another process cancels the run", async () => {
    const id = await run("twostep");
    other = await startTestApp({
      url: database.url,
      workflowsDir: dir,
      resume: false,
      env: { BATON_HTTP_ALLOW: "127.0.0.1" },
    });
    await eventually(() => heldSlow.length > 0, "the first step's request to /slow");
    const cancelled = await other.orchestrator.handle({ type: "execution.cancel", execution: id }, context);
    expect(cancelled).toMatchObject({ type: "execution.cancel", alreadyFinished: false });
    releaseSlow();
    await (app as App).followUps.waitUntilSettled(id);
    const execution = await new ExecutionRepository((app as App).database).get(id);
    expect(execution?.status).toBe("cancelled");
    expect(hits["/after"] ?? 0).toBe(0);
    const attempts = await new ExecutionRepository((app as App).database).attempts(id);
    expect(attempts.map((a) => a.stepPath)).toEqual(["first"]);
  });
});
