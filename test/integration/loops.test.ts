import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { chatRequest, RecordingConversation, startTestApp } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";

/** A critic that rates iteration n with SCORES[n - 1], counting how often each iteration was rated. */
const SCORES = [3, 7, 5, 6, 4, 2, 1, 1, 1, 1];
const rated: Record<string, number> = {};
let server: Server;
let base: string;

function workflows(): string {
  const dir = tempDir("loops");
  const write = (name: string, lines: string[]) => writeFileSync(join(dir, `${name}.yaml`), `${lines.join("\n")}\n`);
  write("drafts", [
    "name: drafts",
    "steps:",
    "  - id: refine",
    "    loop:",
    "      until: loop.iteration >= 3",
    "      steps:",
    "        - id: draft",
    "          tool: template",
    '          with: { text: "draft {{ loop.iteration }}" }',
    "  - id: final",
    "    tool: template",
    '    with: { text: "{{ steps.draft.output.text }} after {{ steps.refine.output.iterations }}" }',
  ]);
  const critic = (name: string, loopFields: string[], extra: string[] = []) =>
    write(name, [
      `name: ${name}`,
      "inputs:",
      "  base: { required: true }",
      "steps:",
      "  - id: improve",
      "    loop:",
      ...loopFields.map((line) => `      ${line}`),
      "      score: steps.critique.output.body.score",
      "      steps:",
      ...extra.map((line) => `        ${line}`),
      "        - id: critique",
      "          tool: http.get",
      '          with: { url: "{{ input.base }}/rate?n={{ loop.iteration }}" }',
    ]);
  critic("plateau", ["maxIterations: 10", "plateau: 2", "until: steps.critique.output.body.score >= 9"]);
  critic("capped", ["maxIterations: 3"]);
  critic("slow", ["maxIterations: 2"], ["- id: think", "  tool: wait", "  with: { ms: 700 }"]);
  return dir;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const n = Number(new URL(request.url ?? "/", "http://x").searchParams.get("n"));
    rated[n] = (rated[n] ?? 0) + 1;
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ score: SCORES[n - 1] ?? 0 }));
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
  for (const key of Object.keys(rated)) delete rated[key];
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

async function run(app: App, text: string, wait = true) {
  const outcome = await app.dispatcher.dispatch(chatRequest(text), new RecordingConversation());
  const id = outcome.result?.type === "workflow.run" ? outcome.result.execution.id : "";
  if (wait) await outcome.settled;
  const repo = new ExecutionRepository(app.database);
  return { id, execution: await repo.get(id), attempts: await repo.attempts(id) };
}

describe("loops", () => {
  it("repeat their steps until the condition holds, and later steps see the last iteration", async () => {
    const app = await open();
    const { execution, attempts } = await run(app, "/orchestrate run drafts");
    expect(execution?.status).toBe("succeeded");
    expect(attempts.map((a) => a.stepPath)).toEqual([
      "refine.1.draft",
      "refine.2.draft",
      "refine.3.draft",
      "refine",
      "final",
    ]);
    expect(execution?.output).toMatchObject({
      refine: { iterations: 3, stoppedBy: "until", score: null },
      final: { text: "draft 3 after 3" },
    });
  });

  it("as a critic loop, stop on a plateau and return the best iteration so far", async () => {
    const app = await open();
    const { execution } = await run(app, `/orchestrate run plateau base=${base}`);
    // Scores 3, 7, 5, 6: two iterations without beating 7 is a plateau.
    expect(execution?.output).toMatchObject({
      improve: {
        iterations: 4,
        stoppedBy: "plateau",
        bestIteration: 2,
        score: 7,
        outputs: { critique: { body: { score: 7 } } },
      },
    });
  });

  it("stop at maxIterations with the best result", async () => {
    const app = await open();
    const { execution } = await run(app, `/orchestrate run capped base=${base}`);
    expect(execution?.output).toMatchObject({
      improve: { iterations: 3, stoppedBy: "maxIterations", bestIteration: 2, score: 7 },
    });
  });

  it("resume without running the steps of a finished iteration again", async () => {
    const first = await open();
    const { id } = await run(first, `/orchestrate run slow base=${base}`, false);
    const repo = new ExecutionRepository(first.database);
    await eventually(
      async () => (await repo.attempts(id)).some((a) => a.stepPath === "improve.2.think" && a.status === "running"),
      "the second iteration thinking before the restart",
    );
    await first.close();
    const second = await open();
    const again = new ExecutionRepository(second.database);
    await eventually(async () => (await again.get(id))?.status === "succeeded", "the resumed run succeeded");
    expect(rated).toEqual({ 1: 1, 2: 1 });
    const paths = (await again.attempts(id)).map((a) => `${a.stepPath}:${a.status}`);
    expect(paths.filter((p) => p.startsWith("improve.1."))).toEqual([
      "improve.1.think:succeeded",
      "improve.1.critique:succeeded",
    ]);
    expect(paths).toContain("improve.2.think:interrupted");
  });
});
