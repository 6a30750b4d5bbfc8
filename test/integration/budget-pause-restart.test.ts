import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { RunRouteRepository } from "../../src/db/repositories/run-route-repository.js";
import { startAgentsApp } from "../support/agents-app.js";
import { chatRequest, pollExecution, RecordingConversation } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";
import { startFakeAnthropic } from "../support/fake-anthropic.js";
import type { FakeLlmServer } from "../support/fake-llm.js";
import { startFakeOpenAi } from "../support/fake-openai.js";

/**
 * Issue 12, item 5: the "continue on a cheaper model" decision taken on a budget pause was held in
 * memory, so a run resumed by a new process went back to the expensive model, hit the budget and
 * asked again. The decision is now stored with the run.
 */
let anthropic: FakeLlmServer;
let openai: FakeLlmServer;
let testDb: TestDatabase | null = null;
const apps: App[] = [];

beforeAll(async () => {
  [anthropic, openai] = await Promise.all([startFakeAnthropic(), startFakeOpenAi()]);
});
afterAll(async () => {
  await Promise.all([anthropic.close(), openai.close()]);
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await testDb?.drop();
  anthropic.requests.length = 0;
  openai.requests.length = 0;
});

/** Two agent steps with a pause between them, long enough to stop the process in the middle. */
function workflows(): string {
  const dir = tempDir("budget-restart");
  const lines = [
    "name: relay",
    "steps:",
    "  - id: write",
    "    agent: { specialty: writer, prompt: Draft a note. }",
    "  - id: nap",
    "    tool: wait",
    "    with: { ms: 2000 }",
    "  - id: polish",
    "    agent: { specialty: writer, prompt: Polish the note. }",
  ];
  writeFileSync(join(dir, "relay.yaml"), `${lines.join("\n")}\n`);
  return dir;
}

async function start(url: string, dir: string): Promise<App> {
  const app = await startAgentsApp({
    url,
    workflowsDir: dir,
    env: {
      ANTHROPIC_API_KEY: "test-key",
      ANTHROPIC_BASE_URL: anthropic.url,
      OPENAI_API_KEY: "test-key",
      OPENAI_BASE_URL: `${openai.url}/v1`,
    },
  });
  apps.push(app);
  return app;
}

async function send(app: App, text: string) {
  return (await app.dispatcher.dispatch(chatRequest(text), new RecordingConversation(true))).settled;
}

describe.each(DATABASE_KINDS)("a cheaper-model decision on $kind", ({ create }) => {
  it("survives a restart: the process that resumes the run keeps to it and does not ask again", async () => {
    testDb = await create();
    const dir = workflows();
    const first = await start(testDb.url, dir);
    await send(first, "/orchestrate budget set global daily=0.004");
    const { result } = await send(first, "/orchestrate run relay");
    const id = result?.type === "workflow.run" ? result.execution.id : "";
    expect(await first.followUps.waitUntilSettled(id)).toMatchObject({ waitingFor: { kind: "budget" } });

    openai.enqueue({ text: "A draft.", usage: { input: 200, output: 50 } });
    // Not waiting for `settled`: that follows the run to its end, and the process stops before it.
    await first.dispatcher.dispatch(chatRequest(`/orchestrate approve ${id} cheaper`), new RecordingConversation(true));
    const executions = new ExecutionRepository(first.database);
    await eventually(
      async () => (await executions.attempts(id)).some((a) => a.stepPath === "nap" && a.status === "running"),
      "the nap step running",
    );
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    openai.enqueue({ text: "A polished note.", usage: { input: 200, output: 50 } });
    const second = await start(testDb.url, dir);
    const done = await pollExecution(second, id, "succeeded");
    expect(done?.status).toBe("succeeded");
    const attempts = await new ExecutionRepository(second.database).attempts(id);
    expect(attempts.filter((a) => a.stepPath !== "nap").map((a) => [a.stepPath, a.status])).toEqual([
      ["write", "paused"],
      ["write", "succeeded"],
      ["polish", "succeeded"],
    ]);
    expect(attempts.filter((a) => a.stepPath === "nap").map((a) => a.status)).toEqual(["interrupted", "succeeded"]);
    expect(attempts.find((a) => a.stepPath === "polish")?.output).toMatchObject({ provider: "openai" });
    expect(openai.requests).toHaveLength(2);
    expect(anthropic.requests.filter((r) => r.method === "POST")).toHaveLength(0);
    expect(await new RunRouteRepository(second.database).get(id)).toMatchObject({
      provider: "openai",
      decidedBy: "ada",
    });
  });
});
