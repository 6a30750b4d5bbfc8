import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { ADMIN_PERMISSION } from "../../src/commands/context.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { pollExecution, startTestApp } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { DATABASE_KINDS, sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";
import { startFakeAnthropic } from "../support/fake-anthropic.js";
import type { FakeLlmServer } from "../support/fake-llm.js";

/** `map` steps: a fan-out over a list known only at run time, and the shipped map-reduce workflow. */
const context = {
  actor: { id: "ada", name: "Ada", platform: "console" },
  origin: { platform: "console", workspace: null, channel: null, thread: null },
  permission: ADMIN_PERMISSION,
};

let server: Server;
let base: string;
const hits: Record<string, number> = {};
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? "";
    hits[path] = (hits[path] ?? 0) + 1;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const delay = path.includes("slow") ? 1500 : 50;
    setTimeout(() => {
      inFlight -= 1;
      response.writeHead(path.includes("missing") ? 404 : 200).end(`page ${path}`);
    }, delay).unref();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function workflowsDir(): string {
  const dir = tempDir("map");
  writeFileSync(
    join(dir, "fetch-all.yaml"),
    [
      "name: fetch-all",
      "inputs:",
      "  pages: { required: true }",
      "steps:",
      "  - id: fetch",
      "    map:",
      "      over: input.pages",
      "      maxConcurrency: 2",
      "      step:",
      "        id: get",
      "        tool: http.get",
      `        with: { url: "${base}/{{ item }}?i={{ index }}", failOnStatus: true }`,
      "  - id: count",
      "    tool: template",
      '    with: { text: "first={{ steps.fetch.output.0.status }} last={{ steps.fetch.output.2.body }}" }',
      "",
    ].join("\n"),
  );
  return dir;
}

describe.each(DATABASE_KINDS)("map steps on $kind", ({ create }) => {
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
    maxInFlight = 0;
    database = await create();
    dir = workflowsDir();
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await database.drop();
  });

  async function run(app: App, pages: string): Promise<string> {
    const result = await app.orchestrator.handle(
      { type: "workflow.run", workflow: "fetch-all", input: { pages } },
      context,
    );
    if (result.type !== "workflow.run") throw new Error(`unexpected ${result.type}`);
    return result.execution.id;
  }

  it("runs the step once per item, at most maxConcurrency at a time, outputs in item order", async () => {
    const app = await open();
    const id = await run(app, "a, b\nc");
    const done = await app.followUps.waitUntilSettled(id);
    expect(done?.status).toBe("succeeded");
    expect(hits).toEqual({ "/a?i=0": 1, "/b?i=1": 1, "/c?i=2": 1 });
    expect(maxInFlight).toBe(2);
    expect((done?.output as Record<string, { text: string }> | undefined)?.count?.text).toBe(
      "first=200 last=page /c?i=2",
    );
    const attempts = await new ExecutionRepository(app.database).attempts(id);
    expect(attempts.map((a) => a.stepPath).sort()).toEqual([
      "count",
      "fetch",
      "fetch.0.get",
      "fetch.1.get",
      "fetch.2.get",
    ]);
  });

  it("fails with the first failing item once every item has settled", async () => {
    const app = await open();
    const id = await run(app, "a,missing,c");
    const done = await app.followUps.waitUntilSettled(id);
    expect(done?.status).toBe("failed");
    expect(done?.errorMessage).toContain("404");
    expect(hits["/c?i=2"]).toBe(1);
  });

  it("does not fetch again the items that finished before a restart", async () => {
    const first = await open();
    const id = await run(first, "a,slow,b");
    const repo = new ExecutionRepository(first.database);
    await eventually(async () => {
      const attempts = await repo.attempts(id);
      const finished = attempts.filter((a) => a.status === "succeeded").length;
      return finished >= 2 && attempts.some((a) => a.stepPath === "fetch.1.get" && a.status === "running");
    }, "two items fetched and the slow one in flight before the restart");
    await first.close();
    const second = await open();
    const done = await pollExecution(second, id, "succeeded");
    expect(done?.status).toBe("succeeded");
    expect(hits["/a?i=0"]).toBe(1);
    expect(hits["/b?i=2"]).toBe(1);
    // The item cut off mid-request runs again (http.get is safe to repeat).
    expect(hits["/slow?i=1"]).toBe(2);
  });
});

describe("the shipped map-reduce workflow", () => {
  let anthropic: FakeLlmServer;
  let testDb: TestDatabase;
  let app: App;

  beforeAll(async () => {
    anthropic = await startFakeAnthropic();
  });
  afterAll(() => anthropic.close());
  afterEach(async () => {
    await app.close();
    await testDb.drop();
  });

  it("researches every topic, then writes one answer from all the notes", async () => {
    testDb = sqliteDatabase();
    app = await startTestApp({
      url: testDb.url,
      env: { ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: anthropic.url },
    });
    anthropic.enqueue(
      { text: "- note one" },
      { text: "- note two" },
      { text: "- note three" },
      { text: "Do X first." },
    );
    const result = await app.orchestrator.handle(
      { type: "workflow.run", workflow: "map-reduce", input: { topics: "DNS, TLS certificates, on-call load" } },
      context,
    );
    if (result.type !== "workflow.run") throw new Error("expected a run");
    const done = await app.followUps.waitUntilSettled(result.execution.id);
    expect(done?.status).toBe("succeeded");
    expect((done?.output as Record<string, { text?: string }> | undefined)?.synthesize?.text).toBe("Do X first.");
    const prompts = anthropic.requests.map((r) => r.body.messages[0].content as string);
    expect(prompts).toHaveLength(4);
    for (const topic of ["DNS", "TLS certificates", "on-call load"]) {
      expect(prompts.slice(0, 3).filter((p) => p.includes(`: ${topic}\n`))).toHaveLength(1);
    }
    for (const note of ["note one", "note two", "note three"]) expect(prompts[3]).toContain(note);
  });
});
