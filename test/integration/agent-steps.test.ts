import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { chatRequest, RecordingConversation, startTestApp } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { startFakeAnthropic } from "../support/fake-anthropic.js";
import type { FakeLlmServer } from "../support/fake-llm.js";

function workflows(): string {
  const dir = tempDir("agents");
  const lines = [
    "name: summarise",
    "inputs:",
    "  topic: { required: true }",
    "steps:",
    "  - id: research",
    "    agent:",
    "      specialty: researcher",
    '      prompt: "Summarise what we know about {{ input.topic }}."',
    "  - id: post",
    "    tool: template",
    '    with: { text: "Summary: {{ steps.research.output.text }}" }',
  ];
  writeFileSync(join(dir, "summarise.yaml"), `${lines.join("\n")}\n`);
  return dir;
}

let anthropic: FakeLlmServer;
let testDb: TestDatabase;
let app: App | null = null;

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
});

afterAll(async () => {
  await anthropic.close();
});

afterEach(async () => {
  await app?.close();
  app = null;
  await testDb.drop();
});

async function run(env: Record<string, string>) {
  testDb = sqliteDatabase();
  app = await startTestApp({ url: testDb.url, workflowsDir: workflows(), env });
  const outcome = await app.dispatcher.dispatch(
    chatRequest("/orchestrate run summarise topic=outages"),
    new RecordingConversation(),
  );
  const { result } = await outcome.settled;
  const id = result?.type === "workflow.run" ? result.execution.id : "";
  const repo = new ExecutionRepository(app.database);
  return { id, execution: await repo.get(id), attempts: await repo.attempts(id) };
}

describe("agent steps", () => {
  it("fail with one clear sentence when no LLM provider is configured", async () => {
    const { execution, attempts } = await run({});
    expect(execution).toMatchObject({
      status: "failed",
      errorCode: "agent_unavailable",
      errorMessage:
        "Agent steps need an LLM provider: set ANTHROPIC_API_KEY, OPENAI_API_KEY or OPENAI_BASE_URL and restart baton.",
    });
    expect(attempts.map((a) => [a.stepPath, a.stepKind, a.tool, a.status])).toEqual([
      ["research", "agent", "agent:researcher", "failed"],
    ]);
  });

  it("ask the configured provider, and the answer flows into later steps and the ledger", async () => {
    anthropic.requests.length = 0;
    anthropic.enqueue({ text: "Two outages this week, both DNS.", usage: { input: 400, output: 30 } });
    const { id, execution, attempts } = await run({ ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: anthropic.url });
    expect(execution?.status).toBe("succeeded");
    expect(attempts[0]?.output).toMatchObject({ text: "Two outages this week, both DNS.", provider: "anthropic" });
    expect(attempts[1]?.output).toEqual({ text: "Summary: Two outages this week, both DNS." });
    const body = anthropic.requests[0]?.body;
    expect(body.system[0].text).toContain("researcher specialist");
    expect(body.messages).toEqual([{ role: "user", content: "Summarise what we know about outages." }]);
    // The step runs through a researcher agent: its read-only query tools are offered.
    expect(body.tools.map((t: { name: string }) => t.name)).toEqual(["status", "executions", "execution", "history"]);
    const calls = await (app as App).database.models.LlmCall.findAll({ where: { execution_id: id }, raw: true });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ purpose: "agent", provider: "anthropic", input_tokens: 400, output_tokens: 30 });
    expect(calls[0]?.agent_id).toMatch(/^researcher_[0-9a-f]{16}$/);
  });

  it("run the shipped critic loop: the best draft wins once the critic is satisfied", async () => {
    testDb = sqliteDatabase();
    app = await startTestApp({
      url: testDb.url,
      env: { ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: anthropic.url },
    });
    const list = await app.dispatcher.dispatch(chatRequest("/orchestrate workflows"), new RecordingConversation());
    expect(list.result).toMatchObject({ type: "workflow.list", problems: [] });
    if (list.result?.type !== "workflow.list") throw new Error("expected the workflow list");
    expect(list.result.workflows.map((w) => w.name)).toEqual([
      "critic-loop",
      "healthcheck",
      "hello",
      "map-reduce",
      "plan-execute-review",
    ]);

    anthropic.enqueue({ text: "First draft." }, { text: "6" }, { text: "Second, better draft." }, { text: "9" });
    const outcome = await app.dispatcher.dispatch(
      chatRequest('/orchestrate run critic-loop brief="a release note"'),
      new RecordingConversation(),
    );
    const { result, reply } = await outcome.settled;
    expect(result).toMatchObject({ execution: { status: "succeeded" } });
    expect(reply.text).toContain("Second, better draft.");
    const id = result?.type === "workflow.run" ? result.execution.id : "";
    const execution = await new ExecutionRepository(app.database).get(id);
    expect(execution?.output).toMatchObject({
      refine: { iterations: 2, stoppedBy: "until", bestIteration: 2, score: 9 },
    });
    const secondDraft = anthropic.requests.at(-2)?.body.messages[0].content as string;
    expect(secondDraft).toContain("Earlier draft and its score, if any: First draft. (6)");
  });
});
