import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { startAgentsApp } from "../support/agents-app.js";
import { chatRequest, RecordingConversation } from "../support/app.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { startFakeAnthropic } from "../support/fake-anthropic.js";
import type { FakeLlmServer } from "../support/fake-llm.js";

/** Issue 12, item 6: spending is not reading. `ask` was classed read-only, so anyone could spend through it. */
let anthropic: FakeLlmServer;
let testDb: TestDatabase;
let app: App;

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
});
afterAll(async () => {
  await anthropic.close();
});
afterEach(async () => {
  await app.close();
  await testDb.drop();
  anthropic.requests.length = 0;
});

async function askAs(actorId: string, question: string) {
  const conversation = new RecordingConversation(true);
  const request = chatRequest(`/orchestrate ask ${question}`, {
    actor: { id: actorId, name: actorId, platform: "console" },
  });
  const outcome = await app.dispatcher.dispatch(request, conversation);
  await outcome.settled;
  return { outcome, conversation };
}

async function agentRows(): Promise<number> {
  const [rows] = await app.database.sequelize.query("SELECT COUNT(*) AS n FROM agents");
  return Number((rows as Array<{ n: unknown }>)[0]?.n);
}

describe("ask under BATON_ADMINS", () => {
  it("refuses a non-admin's ask with one sentence, before any LLM call or agent row", async () => {
    testDb = sqliteDatabase();
    app = await startAgentsApp({
      url: testDb.url,
      env: { ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: anthropic.url, BATON_ADMINS: "console:boss" },
    });

    const refused = await askAs("lin", "why did the deploy fail?");
    expect(refused.conversation.posts.map((post) => post.text)).toEqual([
      "You may not run `ask` here: it needs the operator role and you are a viewer; ask an admin (console:boss).",
    ]);
    expect(anthropic.requests.filter((r) => r.method === "POST")).toHaveLength(0);
    expect(await agentRows()).toBe(0);
    const [row] = await app.rows.audit.recent({ limit: 1 });
    expect(row).toMatchObject({ actorId: "lin", commandType: "ask", outcome: "denied", errorCode: "denied" });

    // The same question from an admin does reach the model and spawns the agent that answers.
    anthropic.enqueue({ text: "The deploy failed at its health check." });
    const answered = await askAs("boss", "why did the deploy fail?");
    expect(answered.outcome.outcome).toBe("ok");
    expect(anthropic.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(await agentRows()).toBe(1);
  });

  it("leaves help for a non-admin without ask, and status open", async () => {
    testDb = sqliteDatabase();
    app = await startAgentsApp({ url: testDb.url, env: { BATON_ADMINS: "console:boss" } });
    const conversation = new RecordingConversation(true);
    const request = (text: string) => chatRequest(text, { actor: { id: "lin", name: "lin", platform: "console" } });
    const help = await (await app.dispatcher.dispatch(request("/orchestrate help"), conversation)).settled;
    const types = help.result?.type === "help" ? help.result.entries.map((entry) => entry.type) : [];
    expect(types).toContain("status");
    expect(types).not.toContain("ask");
    const status = await app.dispatcher.dispatch(request("/orchestrate status"), conversation);
    expect(status.outcome).toBe("ok");
  });
});
