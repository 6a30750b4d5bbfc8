import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { ADMIN_PERMISSION } from "../../src/commands/context.js";
import { type ExecutionRecord, ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { pollExecution, startTestApp } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";

/** `workflow` steps: a child execution per call, its outputs readable, failures and cancels carried across. */
const context = {
  actor: { id: "ada", name: "Ada", platform: "console" },
  origin: { platform: "console", workspace: null, channel: "ops", thread: null },
  permission: ADMIN_PERMISSION,
};

let server: Server;
let base: string;
const hits: Record<string, number> = {};

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? "";
    hits[path] = (hits[path] ?? 0) + 1;
    response.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function workflowsDir(): string {
  const dir = tempDir("subworkflows");
  const write = (name: string, lines: string[]) => writeFileSync(join(dir, `${name}.yaml`), `${lines.join("\n")}\n`);
  write(
    "greet",
    [
      "name: greet",
      "inputs:",
      "  name: { required: true }",
      "steps:",
      "  - id: hello",
      "    tool: template",
      '    with: { text: "Hello, {{ input.name }}!" }',
      "  - id: nap",
      "    tool: wait",
      "    with: { ms: '{{ input.nap }}' }",
      "    when: input.nap != ''",
    ].map((line) => line.replace("inputs:", "inputs:\n  nap: { default: '' }")),
  );
  write("parent", [
    "name: parent",
    "inputs:",
    "  who: { required: true }",
    "  nap: { default: '' }",
    "steps:",
    "  - id: sub",
    "    workflow:",
    "      name: greet",
    "      input: { name: '{{ input.who }}', nap: '{{ input.nap }}' }",
    "  - id: after",
    "    tool: http.post",
    `    with: { url: "${base}/after", body: "{{ steps.sub.output.steps.hello.text }}" }`,
    "  - id: echo",
    "    tool: template",
    '    with: { text: "child said {{ steps.sub.output.steps.hello.text }} in {{ steps.sub.output.execution }}" }',
  ]);
  write("broken-parent", ["name: broken-parent", "steps:", "  - id: sub", "    workflow: { name: greet, input: {} }"]);
  write("missing-parent", [
    "name: missing-parent",
    "steps:",
    "  - id: sub",
    "    workflow: { name: nowhere, input: {} }",
  ]);
  return dir;
}

describe.each(DATABASE_KINDS)("sub-workflows on $kind", ({ create }) => {
  let database: TestDatabase;
  let dir: string;
  const apps: App[] = [];

  const open = async () => {
    const app = await startTestApp({
      url: database.url,
      workflowsDir: dir,
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

  async function run(app: App, workflow: string, input: Record<string, string>): Promise<string> {
    const result = await app.orchestrator.handle({ type: "workflow.run", workflow, input }, context);
    if (result.type !== "workflow.run") throw new Error(`unexpected ${result.type}`);
    return result.execution.id;
  }

  async function children(app: App, parent: string): Promise<ExecutionRecord[]> {
    const all = await new ExecutionRepository(app.database).list({ limit: 50 });
    const rows = await app.database.sequelize.query("SELECT id FROM executions WHERE parent_execution_id = ?", {
      replacements: [parent],
      type: "SELECT",
    });
    const ids = new Set((rows as Array<{ id: string }>).map((row) => row.id));
    return all.filter((e) => ids.has(e.id));
  }

  it("runs the child as its own execution and hands its outputs to later steps", async () => {
    const app = await open();
    const id = await run(app, "parent", { who: "Ada" });
    const done = await app.followUps.waitUntilSettled(id);
    expect(done?.status).toBe("succeeded");
    const [child] = await children(app, id);
    expect(child).toMatchObject({ workflowName: "greet", status: "succeeded", input: { name: "Ada", nap: "" } });
    expect(child?.channel).toBe("ops");
    const output = done?.output as Record<string, { text?: string; execution?: string }>;
    expect(output.sub?.execution).toBe(child?.id);
    expect(output.echo?.text).toBe(`child said Hello, Ada! in ${child?.id}`);
    expect(hits["/after"]).toBe(1);
    const attempts = await new ExecutionRepository(app.database).attempts(id);
    expect(attempts.find((a) => a.stepPath === "sub")?.tool).toBe("workflow:greet");
  });

  it("fails the parent step when the child fails, naming the child", async () => {
    const app = await open();
    const id = await run(app, "broken-parent", {});
    const done = await app.followUps.waitUntilSettled(id);
    expect(done?.status).toBe("failed");
    expect(done?.errorMessage).toMatch(/Sub-workflow `greet`.*required input|name/i);
  });

  it("fails clearly when the child workflow does not exist", async () => {
    const app = await open();
    const id = await run(app, "missing-parent", {});
    const done = await app.followUps.waitUntilSettled(id);
    expect(done?.status).toBe("failed");
    expect(done?.errorCode).toBe("non_retriable");
    expect(done?.errorMessage).toContain("nowhere");
  });

  it("cancels the child with its parent", async () => {
    const app = await open();
    const id = await run(app, "parent", { who: "Ada", nap: "20000" });
    const repo = new ExecutionRepository(app.database);
    const child = await eventually(async () => (await children(app, id))[0], "the child run started");
    const result = await app.orchestrator.handle({ type: "execution.cancel", execution: id }, context);
    expect(result).toMatchObject({ type: "execution.cancel", alreadyFinished: false });
    await app.followUps.waitUntilSettled(child.id);
    expect((await repo.get(id))?.status).toBe("cancelled");
    expect((await repo.get(child.id))?.status).toBe("cancelled");
    expect(hits["/after"]).toBeUndefined();
  });

  it("re-attaches to its child after a restart instead of starting a second one", async () => {
    const first = await open();
    const id = await run(first, "parent", { who: "Ada", nap: "1500" });
    await eventually(async () => {
      const [child] = await children(first, id);
      const attempts = child ? await new ExecutionRepository(first.database).attempts(child.id) : [];
      return attempts.some((a) => a.stepPath === "nap" && a.status === "running");
    }, "the child's nap step running before the restart");
    await first.close();
    const second = await open();
    const done = await pollExecution(second, id, "succeeded");
    expect(done?.status).toBe("succeeded");
    const kids = await children(second, id);
    expect(kids.map((k) => k.status)).toEqual(["succeeded"]);
    expect(hits["/after"]).toBe(1);
  });
});
