import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { BudgetRepository } from "../../src/db/repositories/budget-repository.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { startAgentsApp } from "../support/agents-app.js";
import { chatRequest, RecordingConversation } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { startFakeAnthropic } from "../support/fake-anthropic.js";
import type { FakeLlmServer } from "../support/fake-llm.js";
import { startFakeOpenAi } from "../support/fake-openai.js";

let anthropic: FakeLlmServer;
let openai: FakeLlmServer;
let testDb: TestDatabase;
let app: App;

function workflows(): string {
  const dir = tempDir("budget");
  const lines = ["name: draft", "steps:", "  - id: write", "    agent: { specialty: writer, prompt: Draft a note. }"];
  writeFileSync(join(dir, "draft.yaml"), `${lines.join("\n")}\n`);
  const fan = [
    "name: fan",
    "steps:",
    "  - id: both",
    "    parallel:",
    "      maxConcurrency: 2",
    "      steps:",
    "        - id: one",
    "          agent: { specialty: writer, prompt: One. }",
    "        - id: two",
    "          agent: { specialty: critic, prompt: Two. }",
  ];
  writeFileSync(join(dir, "fan.yaml"), `${fan.join("\n")}\n`);
  return dir;
}

beforeAll(async () => {
  [anthropic, openai] = await Promise.all([startFakeAnthropic(), startFakeOpenAi()]);
});
afterAll(async () => {
  await Promise.all([anthropic.close(), openai.close()]);
});
afterEach(async () => {
  await app.close();
  await testDb.drop();
});

async function send(text: string) {
  const outcome = await app.dispatcher.dispatch(chatRequest(text), new RecordingConversation(true));
  return outcome.settled;
}

/** Starts `draft` under a global daily limit that the worst-case estimate (claude-haiku-4-5) breaks. */
async function pausedRun(workflow = "draft"): Promise<string> {
  testDb = sqliteDatabase();
  app = await startAgentsApp({
    url: testDb.url,
    workflowsDir: workflows(),
    env: {
      ANTHROPIC_API_KEY: "test-key",
      ANTHROPIC_BASE_URL: anthropic.url,
      OPENAI_API_KEY: "test-key",
      OPENAI_BASE_URL: `${openai.url}/v1`,
    },
  });
  await send("/orchestrate budget set global daily=0.004");
  const { result } = await send(`/orchestrate run ${workflow}`);
  const id = result?.type === "workflow.run" ? result.execution.id : "";
  await app.followUps.waitUntilSettled(id);
  return id;
}

describe("a run that hits a budget", () => {
  it("pauses into a decision in its thread instead of failing", async () => {
    const id = await pausedRun();
    const repo = new ExecutionRepository(app.database);
    const execution = await repo.get(id);
    expect(execution).toMatchObject({
      status: "waiting",
      waitingFor: { kind: "budget", stepId: "write", scope: "global", limit: "max_daily_cost_usd", limitValue: 0.004 },
    });
    expect((await repo.attempts(id)).map((a) => [a.stepPath, a.status, a.errorCode])).toEqual([
      ["write", "paused", "budget_exceeded"],
    ]);
    const shown = await send(`/orchestrate show ${id}`);
    expect(shown.reply.text).toContain("waiting");
    const section = shown.reply.blocks.find((b) => b.type === "section" && b.text.includes("Paused by a budget"));
    expect(section && "text" in section ? section.text : "").toContain(`/orchestrate approve ${id} cheaper`);
    expect(anthropic.requests.filter((r) => r.method === "POST")).toHaveLength(0);

    const stopped = await send(`/orchestrate reject ${id} too expensive`);
    expect(stopped.result).toMatchObject({ execution: { status: "failed", errorCode: "rejected" } });
  });

  it("continues on a cheaper model when asked", async () => {
    const id = await pausedRun();
    openai.requests.length = 0;
    openai.enqueue({ text: "A short note.", usage: { input: 200, output: 50 } });
    const approved = await send(`/orchestrate approve ${id} cheaper`);
    expect(approved.result).toMatchObject({ type: "execution.approve" });
    const done = await app.followUps.waitUntilSettled(id);
    expect(done).toMatchObject({ status: "succeeded" });
    const attempts = await new ExecutionRepository(app.database).attempts(id);
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, "paused"],
      [2, "succeeded"],
    ]);
    expect(attempts[1]?.output).toMatchObject({ text: "A short note.", provider: "openai" });
    expect(openai.requests).toHaveLength(1);
    const audit = await app.rows.audit.recent({ limit: 1 });
    expect(audit[0]).toMatchObject({ commandType: "execution.approve", outcome: "ok", executionId: id });
  });

  it("pauses a parallel group too, and runs its refused branches again after the decision", async () => {
    const id = await pausedRun("fan");
    const repo = new ExecutionRepository(app.database);
    expect(await repo.get(id)).toMatchObject({ status: "waiting", waitingFor: { kind: "budget", stepId: "both" } });
    openai.requests.length = 0;
    openai.enqueue({ text: "first" }, { text: "second" });
    await send(`/orchestrate approve ${id} cheaper`);
    expect(await app.followUps.waitUntilSettled(id)).toMatchObject({ status: "succeeded" });
    const attempts = await repo.attempts(id);
    expect(attempts.map((a) => [a.stepPath, a.attempt, a.status]).sort()).toEqual([
      ["both.one", 1, "paused"],
      ["both.one", 2, "succeeded"],
      ["both.two", 1, "paused"],
      ["both.two", 2, "succeeded"],
    ]);
    expect(openai.requests).toHaveLength(2);
  });

  it("raises the cap and continues when asked", async () => {
    const id = await pausedRun();
    anthropic.requests.length = 0;
    anthropic.enqueue({ text: "A polished note." });
    await send(`/orchestrate approve ${id} raise`);
    expect(await app.followUps.waitUntilSettled(id)).toMatchObject({ status: "succeeded" });
    const budget = await new BudgetRepository(app.database).get("global");
    expect(budget?.limits.max_daily_cost_usd).toBeGreaterThanOrEqual(0.008);
    expect(budget?.updatedBy).toBe("ada");
    expect(anthropic.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  });
});
