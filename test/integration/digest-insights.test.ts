import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { renderText } from "../../src/bot/console/text-renderer.js";
import { renderDigest } from "../../src/bot/render-digest.js";
import { AgentRepository } from "../../src/db/repositories/agent-repository.js";
import { EventRepository } from "../../src/db/repositories/event-repository.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { FeedbackRepository } from "../../src/db/repositories/feedback-repository.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { FakeClock } from "../support/fake-clock.js";
import { startSchedulingApp } from "../support/scheduling.js";

const NOW = new Date("2026-03-27T12:00:00Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600_000);
const DAY = 24 * 3600_000;

describe.each(DATABASE_KINDS)("digest and step with budgets, feedback, patterns and agents on $kind", ({ create }) => {
  let testDb: TestDatabase;
  let app: App;
  let clock: FakeClock;

  async function start(env: Record<string, string> = {}) {
    app = await startSchedulingApp({ url: testDb.url, clock, env: { TZ: "UTC", ...env } });
    await seed(app);
  }

  beforeEach(async () => {
    testDb = await create();
    clock = new FakeClock(NOW);
  });

  afterEach(async () => {
    await app.close();
    await testDb.drop();
  });

  it("the digest shows spend against budgets, feedback awaiting review, recognised patterns and active agents", async () => {
    await start();
    const digest = await app.digestDesk.compose(DAY);
    expect(digest.budgets.day).toBe("2026-03-27");
    expect(digest.budgets.standings).toEqual([
      { scope: "global", limitUsd: 2, usedUsd: 1.9, refusals: 0 },
      { scope: "channel:ops", limitUsd: 1, usedUsd: 0.85, refusals: 0 },
      { scope: "user:grace", limitUsd: 0.1, usedUsd: 0, refusals: 2 },
    ]);
    expect(digest.feedback.awaiting).toBe(2);
    expect(digest.feedback.oldest.map((f) => [f.executionId, f.text])).toEqual([
      ["ex_fb000001", "the summary should name the failing host"],
      [null, "mornings are too noisy"],
    ]);
    expect(digest.patterns.map((p) => [p.shape, p.actorId, p.count, p.action])).toEqual([
      ["digest [channel]", "ada", 3, "digest #ops"],
      ["workflow.run healthcheck [urls]", "ada", 3, "run healthcheck"],
    ]);
    expect(digest.activeAgents).toBe(2);

    const text = renderText(renderDigest(digest, { now: NOW, timeZone: "UTC" }));
    expect(text).toContain("Spend against budget (2026-03-27)");
    expect(text).toContain("⚠️ global: $1.9000 of $2.00 (95%)");
    expect(text).toContain("⚠️ channel:ops: $0.8500 of $1.00 (85%)");
    expect(text).toContain("✅ user:grace: $0.0000 of $0.10 (0%, 2 refusals)");
    expect(text).not.toContain("user:ada");
    expect(text).toContain("2 pieces of feedback awaiting review");
    expect(text).toContain("💬 #1 on ex_fb000001 (deploy): the summary should name the failing host");
    expect(text).toContain("2 recognised patterns");
    expect(text).toContain("🔁 digest [channel] — ada, 3 times in seven days");
    expect(text).toContain("🔁 workflow.run healthcheck [urls] — ada, 3 times in seven days");
    expect(text).toMatch(/Active agents\s+2/);

    const reply = renderDigest(digest, { now: NOW, timeZone: "UTC" });
    expect(reply.text).toContain("Budget today: ⚠️ global: $1.9000 of $2.00 (95%).");
    expect(reply.text).toContain("2 pieces of feedback awaiting review (#1 on ex_fb000001, #2).");
    expect(reply.text).toContain(
      "Recognised patterns: digest [channel] (ada, 3×); workflow.run healthcheck [urls] (ada, 3×).",
    );
  });

  it("a step reports budgets, feedback and new patterns, retires the idle agent, and journals each decision", async () => {
    await start();
    const run = await app.steps.run("command", "Ada");
    const bySubject = new Map(run.decisions.map((d) => [d.subject, d]));
    expect(bySubject.get("budget global")).toMatchObject({
      decision: "report",
      reason: "$1.9000 of its $2.00 daily limit used on 2026-03-27 (95%).",
    });
    expect(bySubject.get("budget channel:ops")?.decision).toBe("report");
    expect(bySubject.get("budget user:grace")?.reason).toContain("it refused 2 call(s) or action(s)");
    expect(bySubject.has("budget user:ada")).toBe(false);
    expect(bySubject.get("feedback 1")).toMatchObject({
      decision: "report",
      outcome: expect.stringContaining("/improve <feedback> ex=ex_fb000001"),
    });
    expect(bySubject.get("feedback 2")?.outcome).toBe("needs a person");
    expect(bySubject.get("pattern workflow.run healthcheck [urls]")).toMatchObject({
      decision: "report",
      outcome: expect.stringContaining('/orchestrate schedule "0 9 * * 1-5" run healthcheck'),
    });
    expect(bySubject.get("pattern digest [channel]")).toMatchObject({
      decision: "report",
      outcome: expect.stringContaining('/orchestrate schedule "0 9 * * 1-5" digest #ops'),
    });
    expect(bySubject.get("writer_0000idle")).toMatchObject({ decision: "retire", outcome: "retired" });
    expect(bySubject.has("writer_00000new")).toBe(false);
    expect(run.actions).toEqual(["retired 1 idle agent(s)"]);
    expect(run.statsBefore).toMatchObject({ activeAgents: 2, feedbackAwaitingReview: 2 });
    expect(run.statsAfter).toMatchObject({ activeAgents: 1 });

    const agents = new AgentRepository(app.database);
    expect((await agents.get("writer_0000idle"))?.status).toBe("retired");
    expect((await agents.get("writer_00000new"))?.status).toBe("active");
    const recorded = await app.rows.runs.last();
    expect(recorded?.decisions).toEqual(run.decisions);

    // The next step finds the pattern already reported and nothing idle.
    clock.advance(60_000);
    const next = await app.steps.run("command", "Ada");
    expect(next.decisions.some((d) => d.subject.startsWith("pattern "))).toBe(false);
    expect(next.actions).toEqual([]);
  });

  it("with no actions left, an idle agent is left for the next step", async () => {
    await start({ BATON_STEP_MAX_ACTIONS: "0" });
    const run = await app.steps.run("command", "Ada");
    expect(run.decisions.find((d) => d.subject === "writer_0000idle")).toMatchObject({
      decision: "leave",
      outcome: "left for the next step",
    });
    expect(run.actions).toEqual([]);
    expect((await new AgentRepository(app.database).get("writer_0000idle"))?.status).toBe("active");
  });
});

async function seed(app: App): Promise<void> {
  const { budgets, guard } = app.agents;
  const day = guard.today();
  await budgets.set("global", { max_daily_cost_usd: 2 }, "admin", hoursAgo(50));
  await budgets.set("channel:ops", { max_daily_cost_usd: 1 }, "admin", hoursAgo(50));
  await budgets.set("user:ada", { max_daily_cost_usd: 5 }, "admin", hoursAgo(50));
  await budgets.set("user:grace", { max_daily_cost_usd: 0.1 }, "admin", hoursAgo(50));
  const spend = async (scope: string, usd: number) => {
    await budgets.reserve([{ scope, limitUsd: null }], day, usd);
    await budgets.settle([scope], day, usd, usd);
  };
  await spend("global", 1.9);
  await spend("channel:ops", 0.85);
  await spend("user:ada", 1);

  const events = new EventRepository(app.database);
  const event = (at: Date, type: string, payload: Record<string, unknown>) => ({
    at,
    type,
    executionId: null,
    agentId: null,
    actorId: typeof payload.actorId === "string" ? payload.actorId : null,
    payload,
  });
  const refusal = { scope: "user:grace", limit: "max_daily_cost_usd", limitValue: 0.1, used: 0.1, estimate: 0.02 };
  const pattern = (command: Record<string, unknown>, shape: string) => ({ shape, count: 3, actorId: "ada", command });
  await events.append([
    event(hoursAgo(5), "budget.exceeded", { ...refusal, actorId: "grace" }),
    event(hoursAgo(4), "budget.exceeded", { ...refusal, actorId: "grace" }),
    event(
      hoursAgo(3),
      "pattern.recognized",
      pattern({ type: "workflow.run", workflow: "healthcheck", input: {} }, "workflow.run healthcheck [urls]"),
    ),
    event(hoursAgo(2), "pattern.recognized", pattern({ type: "digest", channel: "#ops" }, "digest [channel]")),
    event(
      hoursAgo(60),
      "pattern.recognized",
      pattern({ type: "workflow.run", workflow: "old", input: {} }, "workflow.run old []"),
    ),
  ]);

  await new ExecutionRepository(app.database).create({
    id: "ex_fb000001",
    workflowName: "deploy",
    workflowVersion: 1,
    status: "succeeded",
    input: {},
    requestedBy: "ada",
    requestedByName: "Ada",
    platform: "console",
    channel: "ops",
    thread: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    createdAt: hoursAgo(6),
    startedAt: hoursAgo(6),
  });
  const feedback = new FeedbackRepository(app.database);
  const base = { actorId: "ada", workflowVersion: null, channel: "ops", thread: null };
  await feedback.create({
    ...base,
    at: hoursAgo(5),
    executionId: "ex_fb000001",
    workflowName: "deploy",
    workflowVersion: 1,
    text: "the summary should name the failing host",
    status: "awaiting_review",
  });
  await feedback.create({
    ...base,
    at: hoursAgo(4),
    executionId: null,
    workflowName: null,
    text: "mornings are too noisy",
    status: "awaiting_review",
  });
  await feedback.create({
    ...base,
    at: hoursAgo(3),
    executionId: null,
    workflowName: null,
    text: "done already",
    status: "applied",
  });

  const agents = new AgentRepository(app.database);
  const agent = (id: string, lastUsedAt: Date) => ({
    id,
    specialty: "writer",
    config: { systemPrompt: "You write.", temperature: 0.3, tools: [], route: [], goal: "notes", maxTurns: 8 },
    createdBy: "ada",
    channel: "ops",
    thread: null,
    createdAt: lastUsedAt,
    lastUsedAt,
  });
  await agents.create(agent("writer_0000idle", hoursAgo(30)));
  await agents.create(agent("writer_00000new", hoursAgo(1)));
}
