import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { openDatabase } from "../../src/db/database.js";
import { BudgetRepository } from "../../src/db/repositories/budget-repository.js";
import { EventRepository } from "../../src/db/repositories/event-repository.js";
import { silentLogger } from "../../src/logger.js";
import { startAgentsApp } from "../support/agents-app.js";
import { chatRequest, RecordingConversation } from "../support/app.js";
import { DATABASE_KINDS, sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { startFakeAnthropic } from "../support/fake-anthropic.js";
import type { FakeLlmServer } from "../support/fake-llm.js";

let testDb: TestDatabase | null = null;
let app: App | null = null;
let anthropic: FakeLlmServer;

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
});
afterAll(async () => {
  await anthropic.close();
});
afterEach(async () => {
  await app?.close();
  app = null;
  await testDb?.drop();
  testDb = null;
});

describe.each(DATABASE_KINDS)("budget reservations on $kind", ({ create }) => {
  it("never reserve past a daily limit, however many calls race for it", async () => {
    testDb = await create();
    const database = await openDatabase({ url: testDb.url, logger: silentLogger });
    try {
      const budgets = new BudgetRepository(database);
      const charges = [
        { scope: "global", limitUsd: 0.05 },
        { scope: "user:ada", limitUsd: null },
      ];
      const results = await Promise.all(Array.from({ length: 20 }, () => budgets.reserve(charges, "2026-11-21", 0.01)));
      expect(results.filter((r) => r === null)).toHaveLength(5);
      expect(results.filter((r) => r === "global")).toHaveLength(15);
      const [global, user] = await budgets
        .usage(["global", "user:ada"], "2026-11-21")
        .then((rows) => ["global", "user:ada"].map((scope) => rows.find((row) => row.scope === scope)));
      expect(global?.reservedUsd).toBeCloseTo(0.05, 6);
      // A refused reservation is rolled back in every scope, not just the one that refused.
      expect(user?.reservedUsd).toBeCloseTo(0.05, 6);

      await budgets.settle(["global", "user:ada"], "2026-11-21", 0.01, 0.002);
      const [settled] = await budgets.usage(["global"], "2026-11-21");
      expect(settled).toMatchObject({ scope: "global" });
      expect(settled?.reservedUsd).toBeCloseTo(0.04, 6);
      expect(settled?.spentUsd).toBeCloseTo(0.002, 6);
      expect(await budgets.reserve(charges, "2026-11-21", 0.007)).toBeNull();
      expect(await budgets.reserve(charges, "2026-11-21", 0.002)).toBe("global");
    } finally {
      await database.close();
    }
  });
});

describe("budgets around agent calls", () => {
  async function start(env: Record<string, string> = {}) {
    testDb = sqliteDatabase();
    app = await startAgentsApp({
      url: testDb.url,
      env: { ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: anthropic.url, ...env },
    });
    return app;
  }

  async function send(text: string, actor = "ada") {
    const outcome = await (app as App).dispatcher.dispatch(
      chatRequest(text, { actor: { id: actor, name: actor, platform: "console" } }),
      new RecordingConversation(true),
    );
    return outcome.settled;
  }

  it("reserve routing calls too: over budget, the router falls back to the offline rules", async () => {
    await start();
    const vague = "hmm, could you do the usual thing for me";
    anthropic.requests.length = 0;
    anthropic.enqueue({ toolCall: { name: "status", arguments: {} } });
    const routed = await send(vague);
    expect(routed.result?.type).toBe("status");
    expect(anthropic.requests).toHaveLength(1);

    await send("/orchestrate budget set user:ada daily=0.0001");
    const refused = await send(vague);
    expect(anthropic.requests).toHaveLength(1);
    expect(refused.result).toBeNull();
    await (app as App).eventLog.flush();
    const events = await new EventRepository((app as App).database).since(new Date(0), ["budget.exceeded"]);
    expect(events.map((e) => [e.payload.scope, e.payload.limit])).toEqual([["user:ada", "max_daily_cost_usd"]]);
    const show = await send("/orchestrate budget user:ada");
    if (show.result?.type !== "budget.show") throw new Error("expected budget.show");
    expect(show.result.usage.find((u) => u.scope === "global")?.reservedUsd).toBeCloseTo(0, 9);
  });

  // Runs after the others that talk to the fake: refused asks leave their queued replies unanswered.
  it("reserve each call's estimate first, so concurrent asks cannot overspend the daily limit", async () => {
    await start();
    await send("/orchestrate budget set global daily=0.012");
    anthropic.requests.length = 0;
    // Slow answers: every reservation is taken while the earlier calls are still out.
    for (let i = 0; i < 6; i += 1) {
      anthropic.enqueue({ delayMs: 500, reply: { text: `answer ${i}`, usage: { input: 1000, output: 1000 } } });
    }
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => send(`/orchestrate ask draft note ${i} specialty=writer`)),
    );
    const ok = answers.filter((a) => a.result?.type === "ask");
    const refused = answers.filter((a) => a.reply.text.includes("global budget's max_daily_cost_usd is $0.0120"));
    expect(ok.length + refused.length).toBe(6);
    expect(refused.length).toBeGreaterThan(0);
    expect(anthropic.requests).toHaveLength(ok.length);

    const show = await send("/orchestrate budget");
    expect(show.result).toMatchObject({ type: "budget.show" });
    if (show.result?.type !== "budget.show") throw new Error("expected budget.show");
    const [global] = show.result.usage;
    // Each call really cost $0.006 (1000 in + 1000 out on claude-haiku-4-5): within one estimate of the limit.
    expect(global?.spentUsd).toBeCloseTo(ok.length * 0.006, 6);
    expect(global?.reservedUsd).toBeCloseTo(0, 6);
    const estimate = 1024 * 5e-6 + 1e-3;
    expect(global?.spentUsd).toBeLessThanOrEqual(0.012 + estimate);
    expect(show.reply.text).toContain("global: max_daily_cost_usd=0.012");

    await (app as App).eventLog.flush();
    const exceeded = await (app as App).database.models.Event.count({ where: { type: "budget.exceeded" } });
    expect(exceeded).toBe(refused.length);
  });

  it("refuse a spawn past max_agents and a run past max_concurrent_runs, naming the limit", async () => {
    await start();
    await send("/orchestrate budget set user:ada agents=1 runs=5");
    expect((await send("/orchestrate spawn writer")).result?.type).toBe("agent.spawn");
    const second = await send("/orchestrate spawn critic");
    expect(second.reply.text).toContain(
      "The user:ada budget's max_agents is 1 agent, 1 agent already in use, and this needs 1 agent more.",
    );
    expect((await send("/orchestrate spawn critic", "grace")).result?.type).toBe("agent.spawn");

    await send("/orchestrate budget set project:hello runs=0");
    const run = await send("/orchestrate run hello name=Ada");
    expect(run.reply.text).toContain("The project:hello budget's max_concurrent_runs is 0 runs");
    await (app as App).eventLog.flush();
    const refusals = await new EventRepository((app as App).database).since(new Date(0), ["budget.exceeded"]);
    expect(refusals.map((e) => e.payload.limit)).toEqual(["max_agents", "max_concurrent_runs"]);
    const bad = await send("/orchestrate budget set user:ada wings=2");
    expect(bad.reply.text).toContain('"wings" is not a budget limit');
  });
});
