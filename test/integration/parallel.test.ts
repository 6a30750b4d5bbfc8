import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { type ExecutionRecord, ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { chatRequest, RecordingConversation, startTestApp } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";

/** Counts requests per path and the most that were in flight at once. */
let server: Server;
let base: string;
const hits: Record<string, number> = {};
let inFlight = 0;
let maxInFlight = 0;

function workflows(): string {
  const dir = tempDir("parallel");
  const branch = (id: string, path: string, extra: string[] = []) => [
    `        - id: ${id}`,
    "          tool: http.get",
    `          with: { url: "{{ input.base }}${path}", failOnStatus: true }`,
    ...extra.map((line) => `          ${line}`),
  ];
  const write = (name: string, branches: string[][]) =>
    writeFileSync(
      join(dir, `${name}.yaml`),
      [
        `name: ${name}`,
        "inputs:",
        "  base: { required: true }",
        "steps:",
        "  - id: fan",
        "    parallel:",
        "      maxConcurrency: 2",
        "      steps:",
        ...branches.flat(),
        "  - id: join",
        "    tool: template",
        '    with: { text: "a={{ steps.a.output.status }} b={{ steps.fan.output.b.status }}" }',
        "",
      ].join("\n"),
    );
  write("fanout", [branch("a", "/fast"), branch("b", "/slow"), branch("c", "/fast?c")]);
  write("broken", [branch("a", "/fast"), branch("b", "/missing"), branch("c", "/slow")]);
  write("long", [branch("a", "/fast"), branch("b", "/very-slow")]);
  return dir;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? "";
    hits[path] = (hits[path] ?? 0) + 1;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const done = (status: number) => {
      inFlight -= 1;
      response.writeHead(status).end("ok");
    };
    const delay = path === "/slow" ? 200 : path === "/very-slow" ? 1500 : 20;
    setTimeout(() => done(path === "/missing" ? 404 : 200), delay).unref();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let testDb: TestDatabase;
let dir: string;
const apps: App[] = [];

beforeEach(() => {
  for (const key of Object.keys(hits)) delete hits[key];
  maxInFlight = 0;
  testDb = sqliteDatabase();
  dir = workflows();
});

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await testDb.drop();
});

async function open(): Promise<App> {
  const app = await startTestApp({
    url: testDb.url,
    workflowsDir: dir,
    env: { BATON_LEASE_MS: "2000", BATON_HTTP_ALLOW: "127.0.0.1" },
  });
  apps.push(app);
  return app;
}

async function run(app: App, workflow: string, wait = true) {
  const outcome = await app.dispatcher.dispatch(
    chatRequest(`/orchestrate run ${workflow} base=${base}`),
    new RecordingConversation(),
  );
  const id = outcome.result?.type === "workflow.run" ? outcome.result.execution.id : "";
  if (wait) await outcome.settled;
  return id;
}

async function state(app: App, id: string): Promise<{ execution: ExecutionRecord | null; steps: string[][] }> {
  const repo = new ExecutionRepository(app.database);
  const attempts = await repo.attempts(id);
  const steps = attempts.map((a) => [a.stepPath, a.status]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
  return { execution: await repo.get(id), steps: steps as string[][] };
}

describe("parallel groups", () => {
  it("run branches concurrently within the cap, then the steps after them see every output", async () => {
    const app = await open();
    const id = await run(app, "fanout");
    const { execution, steps } = await state(app, id);
    expect(execution?.status).toBe("succeeded");
    expect(steps).toEqual([
      ["fan.a", "succeeded"],
      ["fan.b", "succeeded"],
      ["fan.c", "succeeded"],
      ["join", "succeeded"],
    ]);
    expect(maxInFlight).toBe(2);
    expect(execution?.output).toMatchObject({
      join: { text: "a=200 b=200" },
      fan: { a: { status: 200 }, b: { status: 200 } },
    });
  });

  it("fail when a branch fails, after the other branches finish", async () => {
    const app = await open();
    const id = await run(app, "broken");
    const { execution, steps } = await state(app, id);
    expect(execution).toMatchObject({ status: "failed", errorCode: "http_error" });
    expect(steps).toEqual([
      ["fan.a", "succeeded"],
      ["fan.b", "failed"],
      ["fan.c", "succeeded"],
    ]);
  });

  it("resume without running a finished branch again", async () => {
    const first = await open();
    const id = await run(first, "long", false);
    await eventually(
      async () => (await state(first, id)).steps.some(([path, status]) => path === "fan.a" && status === "succeeded"),
      "branch fan.a finished before the restart",
    );
    await first.close();
    const second = await open();
    const final = await eventually(async () => {
      const now = await state(second, id);
      return now.execution?.status === "succeeded" && now;
    }, "the resumed run succeeded");
    expect(hits["/fast"]).toBe(1);
    expect(final.steps).toEqual([
      ["fan.a", "succeeded"],
      ["fan.b", "interrupted"],
      ["fan.b", "succeeded"],
      ["join", "succeeded"],
    ]);
  });
});
