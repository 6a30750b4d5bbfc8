import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { nextFireAfter } from "../../src/orchestrator/scheduler/cron.js";
import { chatRequest, RecordingConversation } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";
import { FakeClock } from "../support/fake-clock.js";
import { startSchedulingApp } from "../support/scheduling.js";

function workflows(): string {
  const dir = tempDir("step");
  writeFileSync(
    join(dir, "timed.yaml"),
    [
      "name: timed",
      "steps:",
      "  - id: confirm",
      "    timeoutMs: 60000",
      "    approval: { prompt: Go ahead?, onTimeout: approve }",
      "  - id: done",
      "    tool: template",
      '    with: { text: "went ahead" }',
      "",
    ].join("\n"),
  );
  return dir;
}

/** A lease of an hour: the engine's background sweep (every half lease) stays out of a test's two minutes. */
const QUIET_SWEEP = { BATON_LEASE_MS: "3600000" };

describe.each(DATABASE_KINDS)("orchestrator.step on $kind", ({ create }) => {
  let testDb: TestDatabase;
  let app: App;
  let clock: FakeClock;

  async function start(env: Record<string, string> = {}) {
    // Leases of 10 minutes: the recovery sweep (every half lease, on the fake clock) does not settle
    // the overdue approval before the step under test gets to it.
    const lease = { BATON_LEASE_MS: String(10 * 60_000) };
    app = await startSchedulingApp({ url: testDb.url, clock, workflowsDir: workflows(), env: { ...lease, ...env } });
  }

  beforeEach(async () => {
    testDb = await create();
    clock = new FakeClock(new Date("2026-03-27T12:00:00Z"));
  });

  afterEach(async () => {
    await app.close();
    await testDb.drop();
  });

  async function say(text: string) {
    const conversation = new RecordingConversation(true);
    const outcome = await app.dispatcher.dispatch(chatRequest(text), conversation);
    const settled = await outcome.settled;
    return { text: conversation.lastText, result: settled.result };
  }

  it("settles an approval past its timeout, reports failed runs, and journals every decision", async () => {
    // The engine's own sweep (every half lease, on the fake clock) must not settle it first.
    await start(QUIET_SWEEP);
    const started = await say("/orchestrate run timed");
    const id = started.result && "execution" in started.result ? started.result.execution.id : "";
    await eventually(
      async () => (await app.followUps.executionDetail(id)).execution.status === "waiting",
      "the run waiting on its approval",
    );
    await seedFailure(app, clock.now());
    clock.advance(2 * 60_000);

    const step = await say("/orchestrate step");
    expect(step.result?.type).toBe("orchestrator.step");
    const run = step.result?.type === "orchestrator.step" ? step.result.run : null;
    expect(run).toMatchObject({ trigger: "command", triggeredBy: "Ada", mode: "scheduled", outcome: "ok" });
    expect(run?.statsBefore).toMatchObject({ waiting: 1, approvalsOverdue: 1, failedLast24h: 1 });
    expect(run?.statsAfter).toMatchObject({ waiting: 0, approvalsOverdue: 0 });
    expect(run?.actions).toEqual(["swept: 1 approval(s) past their timeout, 0 run(s) to resume"]);
    expect(run?.decisions).toEqual([
      {
        subject: id,
        decision: "apply the timeout's default (approve)",
        reason: expect.stringContaining("The approval of `confirm` passed its deadline"),
        outcome: expect.stringMatching(/^now (running|succeeded)$/),
      },
      {
        subject: "ex_failed01",
        decision: "report as retryable",
        reason: "deploy failed (http_error): http.get answered 500",
        outcome: "retry with `/orchestrate run deploy` (not retried automatically)",
      },
    ]);
    expect((await app.followUps.waitUntilSettled(id))?.status).toBe("succeeded");

    const journal = await say("/orchestrate history orchestrator");
    expect(journal.text).toContain(`${run?.id} · `);
    expect(journal.text).toContain("ex_failed01*: report as retryable");
    const snapshot = await app.control();
    expect(snapshot.lastRun?.id).toBe(run?.id);
  });

  it("takes no action beyond BATON_STEP_MAX_ACTIONS, and says what it left", async () => {
    await start({ BATON_STEP_MAX_ACTIONS: "0", ...QUIET_SWEEP });
    const started = await say("/orchestrate run timed");
    const id = started.result && "execution" in started.result ? started.result.execution.id : "";
    await eventually(
      async () => (await app.followUps.executionDetail(id)).execution.status === "waiting",
      "the run waiting on its approval",
    );
    clock.advance(2 * 60_000);
    const run = await app.steps.run("command", "test");
    expect(run.actions).toEqual([]);
    expect(run.decisions[0]).toMatchObject({ subject: id, decision: "leave", outcome: "left for the next step" });
    expect((await app.followUps.executionDetail(id)).execution.status).toBe("waiting");
  });

  it("steps on its own once per delay window in continuous mode, and not at all in manual mode", async () => {
    await start({ BATON_CONTINUOUS_DELAY_MS: "1000" });
    expect((await say("/orchestrate mode continuous")).text).toContain("scheduled → *continuous*");
    // The loop ticks on the app's clock: nothing steps until a delay has passed on it.
    expect(await app.rows.runs.recent(5)).toHaveLength(0);
    clock.advance(1000);
    await eventually(async () => (await app.rows.runs.recent(5)).length > 0, "the first run");
    const [first] = await app.rows.runs.recent(5);
    expect(first).toMatchObject({ trigger: "continuous", triggeredBy: "continuous mode", mode: "continuous" });
    // A tick that comes while the last one is still finishing is skipped (its window is claimed),
    // so move on a window at a time until the loop steps again.
    await eventually(async () => {
      if ((await app.rows.runs.recent(5)).length >= 2) return true;
      clock.advance(1000);
      return false;
    }, "the second run");
    const runs = await app.rows.runs.recent(5);
    expect(new Set(runs.map((run) => run.id)).size).toBe(runs.length);

    await say("/orchestrate mode manual");
    await say('/orchestrate schedule "*/5 * * * *" step');
    const [schedule] = await app.rows.schedules.list();
    if (!schedule) throw new Error("no schedule");
    const outcome = await app.scheduler.fire(schedule.id, nextFireAfter(schedule.cron, schedule.timeZone, clock.now()));
    expect(outcome).toEqual({ kind: "skipped", detail: "manual mode: orchestrator steps run only on command" });
  });
});

async function seedFailure(app: App, at: Date): Promise<void> {
  const executions = new ExecutionRepository(app.database);
  await executions.create({
    id: "ex_failed01",
    workflowName: "deploy",
    workflowVersion: 1,
    status: "failed",
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
  await executions.transition(
    "ex_failed01",
    ["failed"],
    { errorCode: "http_error", errorMessage: "http.get answered 500", finishedAt: at },
    at,
  );
}
