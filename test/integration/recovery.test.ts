import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { type ExecutionRecord, ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { chatRequest, RecordingConversation, startTestApp } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";

/** Counts every side effect a workflow has on this local service. */
let server: Server;
let base: string;
const hits: Record<string, number> = {};

function workflowsDir(): string {
  const dir = tempDir("recovery");
  const write = (name: string, steps: string[]) =>
    writeFileSync(
      join(dir, `${name}.yaml`),
      [`name: ${name}`, "inputs:", "  base: { required: true }", "steps:", ...steps, ""].join("\n"),
    );
  write("pipeline", [
    "  - id: fetch",
    "    tool: http.get",
    '    with: { url: "{{ input.base }}/fetch" }',
    "  - id: nap",
    "    tool: wait",
    "    with: { ms: 1500 }",
    "  - id: report",
    "    tool: http.get",
    '    with: { url: "{{ input.base }}/report" }',
  ]);
  write("lenient", ["  - id: nap", "    tool: wait", "    onError: continue", "    with: { ms: 1500 }"]);
  write("publish", [
    "  - id: post",
    "    tool: http.post",
    '    with: { url: "{{ input.base }}/slow-post", body: "hello" }',
  ]);
  return dir;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? "";
    hits[path] = (hits[path] ?? 0) + 1;
    if (path === "/slow-post") return void setTimeout(() => response.end("posted"), 1500).unref();
    response.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe.each(DATABASE_KINDS)("resuming executions on $kind", ({ create }) => {
  let database: TestDatabase;
  let dir: string;
  const apps: App[] = [];

  const open = async (resume = true) => {
    const app = await startTestApp({
      url: database.url,
      workflowsDir: dir,
      resume,
      env: { BATON_LEASE_MS: "2000", BATON_HTTP_ALLOW: "127.0.0.1" },
    });
    apps.push(app);
    return app;
  };

  beforeEach(async () => {
    for (const key of Object.keys(hits)) delete hits[key];
    database = await create();
    dir = workflowsDir();
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await database.drop();
  });

  async function startRun(app: App, workflow: string): Promise<string> {
    const outcome = await app.dispatcher.dispatch(
      chatRequest(`/orchestrate run ${workflow} base=${base}`),
      new RecordingConversation(true),
    );
    return outcome.result?.type === "workflow.run" ? outcome.result.execution.id : "";
  }

  /** Waits until `reached` holds for the execution and the paths of its running steps; returns the execution. */
  async function executionReaches(
    app: App,
    id: string,
    reached: (e: ExecutionRecord | null, stepsRunning: string[]) => boolean,
    description: string,
  ): Promise<ExecutionRecord | null> {
    const repo = new ExecutionRepository(app.database);
    const { execution } = await eventually(async () => {
      const attempts = await repo.attempts(id);
      const execution = await repo.get(id);
      const running = attempts.filter((a) => a.status === "running").map((a) => a.stepPath);
      return reached(execution, running) && { execution };
    }, `execution ${id}: ${description}`);
    return execution;
  }

  it("continues after a restart without running a finished step again", async () => {
    const first = await open();
    const id = await startRun(first, "pipeline");
    await executionReaches(first, id, (_e, running) => running.includes("nap"), "nap running");
    await first.close();
    const second = await open();
    const done = await executionReaches(second, id, (e) => e?.status === "succeeded", "succeeded");
    expect(done?.status).toBe("succeeded");
    expect(hits).toEqual({ "/fetch": 1, "/report": 1 });
    const attempts = await new ExecutionRepository(second.database).attempts(id);
    expect(attempts.map((a) => [a.stepPath, a.attempt, a.status])).toEqual([
      ["fetch", 1, "succeeded"],
      ["nap", 1, "interrupted"],
      ["nap", 2, "succeeded"],
      ["report", 1, "succeeded"],
    ]);
  });

  it("waits for a person when the step cut off is not safe to repeat; approve runs it again", async () => {
    const first = await open();
    const id = await startRun(first, "publish");
    await executionReaches(first, id, (_e, running) => running.includes("post"), "post running");
    await first.close();
    const second = await open();
    const waiting = await executionReaches(second, id, (e) => e?.status === "waiting", "waiting");
    expect(waiting).toMatchObject({ errorCode: "decision_needed" });
    expect(waiting?.errorMessage).toContain(`/orchestrate approve ${id}`);
    const status = await second.dispatcher.dispatch(chatRequest("/orchestrate status"), new RecordingConversation());
    expect(status.reply.text).toMatch(/1 waiting/);

    const approve = await second.dispatcher.dispatch(
      chatRequest(`/orchestrate approve ${id}`),
      new RecordingConversation(),
    );
    const { result } = await approve.settled;
    expect(result).toMatchObject({ type: "execution.approve", execution: { status: "succeeded" } });
    expect(hits["/slow-post"]).toBe(2);
  });

  it("reject fails the waiting run with the reason", async () => {
    const first = await open();
    const id = await startRun(first, "publish");
    await executionReaches(first, id, (_e, running) => running.includes("post"), "post running");
    await first.close();
    const second = await open();
    await executionReaches(second, id, (e) => e?.status === "waiting", "waiting");
    const reject = await second.dispatcher.dispatch(
      chatRequest(`/orchestrate reject ${id} the post went out already`),
      new RecordingConversation(),
    );
    expect(reject.outcome).toBe("ok");
    const failed = await new ExecutionRepository(second.database).get(id);
    expect(failed).toMatchObject({
      status: "failed",
      errorCode: "rejected",
      errorMessage: "Rejected by Ada: the post went out already",
    });
    expect(hits["/slow-post"]).toBe(1);
  });

  it("resumes on the workflow version the run started on, even after the file changed", async () => {
    const first = await open();
    const id = await startRun(first, "pipeline");
    await executionReaches(first, id, (_e, running) => running.includes("nap"), "nap running");
    await first.close();
    const file = join(dir, "pipeline.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("/report", "/report-v2"));
    const second = await open();
    const done = await executionReaches(second, id, (e) => e?.status === "succeeded", "succeeded");
    expect(done?.workflowVersion).toBe(1);
    expect(hits).toEqual({ "/fetch": 1, "/report": 1 });
    const fresh = await second.dispatcher.dispatch(
      chatRequest("/orchestrate show pipeline"),
      new RecordingConversation(),
    );
    expect(fresh.reply.text).toContain("pipeline v2");
  });

  it("never lets onError: continue turn a shutdown into success", async () => {
    const first = await open();
    const id = await startRun(first, "lenient");
    await executionReaches(first, id, (_e, running) => running.includes("nap"), "nap running");
    await first.close();
    const after = await open(false);
    expect((await new ExecutionRepository(after.database).get(id))?.status).toBe("interrupted");
  });

  it("stops its copy of a run when another process has taken the lease", async () => {
    const app = await open();
    const id = await startRun(app, "pipeline");
    await executionReaches(app, id, (_e, running) => running.includes("nap"), "nap running");
    await app.database.models.Execution.update({ lease_owner: "another-process" }, { where: { id } });
    const repo = new ExecutionRepository(app.database);
    const nap = await eventually(
      async () => (await repo.attempts(id)).find((a) => a.stepPath === "nap" && a.status !== "running"),
      "the nap step to stop once the lease is lost",
    );
    expect(nap.status).toBe("interrupted");
    // The run still belongs to the other process: this one wrote no outcome and ran no further step.
    expect(await repo.get(id)).toMatchObject({ status: "running", leaseOwner: "another-process" });
    expect(hits["/report"]).toBeUndefined();
  });

  it("lets exactly one of two processes resume an execution left behind", async () => {
    const first = await open();
    const id = await startRun(first, "pipeline");
    await executionReaches(first, id, (_e, running) => running.includes("nap"), "nap running");
    await first.close();
    const [a, b] = await Promise.all([open(), open()]);
    const done = await executionReaches(a as App, id, (e) => e?.status === "succeeded", "succeeded");
    expect(done?.status).toBe("succeeded");
    expect(hits).toEqual({ "/fetch": 1, "/report": 1 });
    const attempts = await new ExecutionRepository((b as App).database).attempts(id);
    expect(attempts.filter((x) => x.stepPath === "nap").map((x) => x.status)).toEqual(["interrupted", "succeeded"]);
  });
});
