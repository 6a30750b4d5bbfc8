import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { nextFireAfter } from "../../src/orchestrator/scheduler/cron.js";
import { chatRequest, RecordingConversation } from "../support/app.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";
import { FakeClock } from "../support/fake-clock.js";
import { slackWorkflows } from "../support/fake-slack-app.js";
import { RecordingPublisher, startSchedulingApp } from "../support/scheduling.js";

/** Issue 15: a scheduled run reports to its schedule's channel, through the digests' publishers. */
describe.each(DATABASE_KINDS)("scheduled runs report ($kind)", ({ create }) => {
  let testDb: TestDatabase;
  let app: App;
  let publisher: RecordingPublisher;
  const clock = new FakeClock(new Date("2026-03-27T07:00:00Z"));

  beforeEach(async () => {
    testDb = await create();
    publisher = new RecordingPublisher("console");
    app = await startSchedulingApp({ url: testDb.url, clock, publishers: [publisher], workflowsDir: slackWorkflows() });
  });

  afterEach(async () => {
    await app.close();
    await testDb.drop();
  });

  async function fire(text: string): Promise<string> {
    const outcome = await app.dispatcher.dispatch(chatRequest(text), new RecordingConversation(true));
    expect(outcome.outcome, outcome.reply.text).toBe("ok");
    const [schedule] = await app.rows.schedules.list();
    if (!schedule) throw new Error("no schedule");
    const fired = await app.scheduler.fire(schedule.id, nextFireAfter(schedule.cron, schedule.timeZone, clock.now()));
    return (fired as { detail: string }).detail.split(" as ")[1] ?? "";
  }

  const deliveries = (key: string) =>
    app.database.raw.all<{ status: string; channel: string }>(
      "SELECT status, channel FROM digest_deliveries WHERE idempotency_key = ?",
      [key],
    );

  it("posts a finished run's outcome to the schedule's channel, once, and records the delivery", async () => {
    const id = await fire('/orchestrate schedule "*/5 * * * *" run hello');
    await app.followUps.waitUntilSettled(id);
    const report = await eventually(
      () => publisher.posts.find((post) => post.idempotencyKey === `run:${id}:succeeded`),
      "the run's report",
    );
    expect(report.channel).toBe("test");
    expect(report.reply.text).toContain("Scheduled run of hello.");
    expect(report.reply.text).toContain("succeeded");
    expect(
      await eventually(
        async () => (await deliveries(`run:${id}:succeeded`))[0]?.status === "delivered",
        "the delivery row",
      ),
    ).toBe(true);
    expect(publisher.posts.filter((post) => post.idempotencyKey.startsWith(`run:${id}`))).toHaveLength(1);
  });

  it("posts a run waiting for approval with its Approve and Reject buttons", async () => {
    const id = await fire('/orchestrate schedule "*/5 * * * *" run gate');
    const report = await eventually(
      () => publisher.posts.find((post) => post.idempotencyKey === `run:${id}:waiting:confirm`),
      "the waiting run's report",
    );
    const buttons = JSON.stringify(report.reply.blocks);
    expect(buttons).toContain(`"execution":"${id}"`);
    expect(buttons).toMatch(/approve/);
    expect(buttons).toMatch(/reject/);
    expect(buttons).toContain("Ship it?");
  });
});
