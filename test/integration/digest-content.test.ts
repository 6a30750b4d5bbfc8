import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { renderText } from "../../src/bot/console/text-renderer.js";
import { renderDigest } from "../../src/bot/render-digest.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { FakeClock } from "../support/fake-clock.js";
import { startSchedulingApp } from "../support/scheduling.js";

const NOW = new Date("2026-03-27T12:00:00Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600_000);

describe.each(DATABASE_KINDS)("digest content on $kind", ({ create }) => {
  let testDb: TestDatabase;
  let app: App;

  beforeEach(async () => {
    testDb = await create();
    app = await startSchedulingApp({ url: testDb.url, clock: new FakeClock(NOW) });
    await seed(app);
  });

  afterEach(async () => {
    await app.close();
    await testDb.drop();
  });

  it("counts the period's runs, lists failures first, waiting approvals, spend by day and top requesters", async () => {
    const digest = await app.digestDesk.compose(24 * 3600_000);
    expect(digest.runs).toEqual({ started: 6, byStatus: { failed: 2, succeeded: 3, waiting: 1 } });
    expect(digest.failures.map((f) => [f.id, f.errorMessage])).toEqual([
      ["ex_fail0002", "http.get answered 500"],
      ["ex_fail0001", "timed out after 10 s"],
    ]);
    expect(digest.approvalsWaiting).toEqual([
      {
        id: "ex_wait0001",
        workflowName: "deploy",
        stepId: "sign-off",
        since: hoursAgo(1),
        deadline: "2026-03-27T18:00:00.000Z",
      },
    ]);
    expect(digest.spend.days.map((d) => d.usd)).toEqual([0, 0, 0, 0.25, 0, 1, 0.5]);
    expect(digest.spend.days.map((d) => d.day)).toEqual(["Sat", "Sun", "Mon", "Tue", "Wed", "Thu", "today"]);
    expect(digest.spend.sparkline).toBe("▁▁▁▃▁█▅");
    expect(digest.spend.weekUsd).toBeCloseTo(1.75);
    expect(digest.spend.periodUsd).toBeCloseTo(0.5);
    expect(digest.requests).toBe(5);
    expect(digest.topRequesters).toEqual([
      { actorId: "ada", requests: 3 },
      { actorId: "grace", requests: 1 },
    ]);
  });

  it("renders failures before the summary, with the command that shows each", async () => {
    const digest = await app.digestDesk.compose(24 * 3600_000);
    const text = renderText(renderDigest(digest, { now: NOW, timeZone: "UTC" }));
    expect(text.indexOf("2 failed runs")).toBeLessThan(text.indexOf("Runs started"));
    expect(text).toContain("❌ ex_fail0002 deploy — http.get answered 500 · /orchestrate show ex_fail0002");
    expect(text).toContain("LLM spend, 7 days     ▁▁▁▃▁█▅ $1.7500");
    expect(text).toContain("Top requesters        ada (3), grace (1)");
    expect(text).toContain("✋ ex_wait0001 deploy at sign-off (decides itself at 2026-03-27 18:00 UTC)");
  });
});

async function seed(app: App): Promise<void> {
  const executions = new ExecutionRepository(app.database);
  const run = async (id: string, status: string, at: Date, extra: Record<string, unknown> = {}) => {
    await executions.create({
      id,
      workflowName: "deploy",
      workflowVersion: 1,
      status,
      input: {},
      requestedBy: "ada",
      requestedByName: "Ada",
      platform: "console",
      channel: "ops",
      thread: null,
      leaseOwner: null,
      leaseExpiresAt: null,
      createdAt: at,
      startedAt: at,
    });
    if (Object.keys(extra).length > 0) await executions.transition(id, [status], extra, at);
  };
  await run("ex_fail0001", "failed", hoursAgo(3), { errorCode: "step_timeout", errorMessage: "timed out after 10 s" });
  await run("ex_fail0002", "failed", hoursAgo(2), { errorCode: "http_error", errorMessage: "http.get answered 500" });
  await run("ex_old00001", "failed", hoursAgo(48), { errorCode: "http_error", errorMessage: "old" });
  for (const n of [1, 2, 3]) await run(`ex_ok00000${n}`, "succeeded", hoursAgo(n + 3));
  await run("ex_wait0001", "waiting", hoursAgo(1), {
    waitingFor: {
      kind: "approval",
      stepId: "sign-off",
      attemptId: 1,
      prompt: "Ship it?",
      approvers: null,
      allowRequester: false,
      onTimeout: "reject",
      deadline: "2026-03-27T18:00:00.000Z",
    },
  });
  const spend = async (at: Date, costUsd: number) =>
    app.rows.llmCalls.record({
      at,
      provider: "anthropic",
      model: "claude-haiku-4-5",
      purpose: "route",
      usage: { inputTokens: 100, outputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0 },
      costUsd,
      latencyMs: 100,
      outcome: "ok",
      errorCode: null,
      auditId: null,
      executionId: null,
      agentId: null,
      actorId: "ada",
    });
  await spend(hoursAgo(2), 0.5);
  await spend(new Date("2026-03-26T09:00:00Z"), 1);
  await spend(new Date("2026-03-24T09:00:00Z"), 0.25);
  let n = 0;
  for (const [actor, at] of [
    ["ada", hoursAgo(1)],
    ["ada", hoursAgo(2)],
    ["ada", hoursAgo(3)],
    ["grace", hoursAgo(4)],
    ["baton", hoursAgo(5)],
    ["grace", hoursAgo(30)],
  ] as const) {
    n += 1;
    await app.rows.audit.open({
      at,
      platform: "console",
      workspace: null,
      channel: "ops",
      thread: null,
      actorId: actor,
      actorName: actor,
      text: "/orchestrate status",
      dedupeKey: `seed:${n}`,
    });
  }
}
