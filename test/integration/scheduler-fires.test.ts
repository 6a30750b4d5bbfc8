import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { nextFireAfter } from "../../src/orchestrator/scheduler/cron.js";
import { chatRequest, RecordingConversation } from "../support/app.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { FakeClock } from "../support/fake-clock.js";
import { ManualDriver, RecordingPublisher, startSchedulingApp } from "../support/scheduling.js";

describe.each(DATABASE_KINDS)("scheduler fires on $kind", ({ create }) => {
  let testDb: TestDatabase;
  let apps: App[];
  let clock: FakeClock;

  beforeEach(async () => {
    testDb = await create();
    apps = [];
    // Friday 27 March 2026, 07:00 UTC: 08:00 in Berlin, an hour before a weekday-morning digest.
    clock = new FakeClock(new Date("2026-03-27T07:00:00Z"));
  });

  afterEach(async () => {
    for (const app of apps) await app.close();
    await testDb.drop();
  });

  async function start(publisher = new RecordingPublisher("console"), driver = new ManualDriver()) {
    const app = await startSchedulingApp({ url: testDb.url, clock, publishers: [publisher], driver });
    apps.push(app);
    return { app, publisher, driver };
  }

  async function say(app: App, text: string, answer: boolean | "ask" = true) {
    const conversation = new RecordingConversation(answer);
    const outcome = await app.dispatcher.dispatch(chatRequest(text), conversation);
    await outcome.settled;
    return conversation.lastText;
  }

  it("creates a schedule from chat and posts its digest once per fire time", async () => {
    const { app, publisher, driver } = await start();
    const created = await say(app, '/orchestrate schedule "0 9 * * 1-5" digest #ops tz=Europe/Berlin');
    expect(created).toMatch(/Scheduled `sch_[0-9a-f]{16}`: digest → #ops at `0 9 \* \* 1-5` \(Europe\/Berlin\)/);
    const [schedule] = await app.rows.schedules.list();
    if (!schedule) throw new Error("no schedule");
    expect(driver.armed.has(schedule.id)).toBe(true);

    const fireTime = nextFireAfter(schedule.cron, schedule.timeZone, clock.now());
    expect(fireTime.toISOString()).toBe("2026-03-27T08:00:00.000Z");
    clock.set(fireTime);
    const first = await app.scheduler.fire(schedule.id, fireTime);
    const again = await app.scheduler.fire(schedule.id, fireTime);

    expect(first).toMatchObject({ kind: "ran" });
    expect(again).toEqual({ kind: "lost" });
    expect(publisher.posts).toHaveLength(1);
    expect(publisher.posts[0]).toMatchObject({
      channel: "ops",
      idempotencyKey: `digest:${schedule.id}:2026-03-27T08:00:00.000Z`,
    });
    expect(publisher.posts[0]?.reply.text).toContain("baton digest");
    const fires = await app.rows.schedules.fires(schedule.id);
    expect(fires.map((f) => [f.fireTime.toISOString(), f.status])).toEqual([["2026-03-27T08:00:00.000Z", "done"]]);
    expect(fires[0]?.detail).toContain("digest delivered to console #ops as message console-1");
    const [delivery] = await app.rows.digests.deliveries();
    expect(delivery).toMatchObject({ status: "delivered", messageId: "console-1", attempts: 1 });
    const audit = await app.rows.audit.recent({ limit: 5, actor: "scheduler" });
    expect(audit[0]).toMatchObject({ platform: "scheduler", commandType: "digest", outcome: "ok" });
  });

  it("refuses a bad cron and an unknown time zone in one sentence each, and stores nothing", async () => {
    const { app } = await start();
    expect(await say(app, '/orchestrate schedule "0 25 * * *" digest #ops')).toContain(
      "`0 25 * * *` is not a cron expression baton understands",
    );
    expect(await say(app, '/orchestrate schedule "0 9 * * *" digest #ops tz=Moon/Base')).toBe(
      "`Moon/Base` is not a time zone; use an IANA name such as `UTC` or `Europe/Berlin`.",
    );
    expect(await app.rows.schedules.list()).toEqual([]);
  });

  it("records fires as skipped while paused, and chat commands still work", async () => {
    const { app, publisher } = await start();
    await say(app, '/orchestrate schedule "0 9 * * 1-5" digest #ops tz=Europe/Berlin');
    const [schedule] = await app.rows.schedules.list();
    if (!schedule) throw new Error("no schedule");
    const paused = new RecordingConversation(true);
    await (await app.dispatcher.dispatch(chatRequest("/orchestrate pause"), paused)).settled;
    expect(paused.prompts[0]?.question).toContain("Switch the orchestrator to paused mode?");
    expect(paused.lastText).toContain("scheduled → *paused*");

    const fireTime = nextFireAfter(schedule.cron, schedule.timeZone, clock.now());
    const outcome = await app.scheduler.fire(schedule.id, fireTime);
    expect(outcome).toEqual({ kind: "skipped", detail: "the orchestrator is paused" });
    expect(publisher.posts).toHaveLength(0);
    const status = await say(app, "/orchestrate status");
    expect(status).toContain("baton status");
    const snapshot = await app.control();
    expect(snapshot.mode).toBe("paused");
    expect(snapshot.troubledFires.map((f) => [f.status, f.detail])).toEqual([
      ["skipped", "the orchestrator is paused"],
    ]);

    await say(app, "/orchestrate resume");
    expect((await app.control()).mode).toBe("scheduled");
    const next = nextFireAfter(schedule.cron, schedule.timeZone, fireTime);
    expect(await app.scheduler.fire(schedule.id, next)).toMatchObject({ kind: "ran" });
    expect(publisher.posts).toHaveLength(1);
  });

  it("reports a fire whose process died mid-action, and never runs it again", async () => {
    const { app, publisher } = await start();
    await say(app, '/orchestrate schedule "0 9 * * 1-5" digest #ops tz=Europe/Berlin');
    const [schedule] = await app.rows.schedules.list();
    if (!schedule) throw new Error("no schedule");
    const fireTime = nextFireAfter(schedule.cron, schedule.timeZone, clock.now());
    // Another replica claimed the fire, then died before recording its outcome.
    await app.rows.schedules.claimFire({
      scheduleId: schedule.id,
      fireTime,
      owner: "replica-b:4242",
      now: fireTime,
    });
    clock.set(new Date(fireTime.getTime() + 20 * 60_000));
    expect(await app.scheduler.fire(schedule.id, fireTime)).toEqual({ kind: "lost" });
    expect(publisher.posts).toHaveLength(0);
    const status = await say(app, "/orchestrate status");
    expect(status).toContain("baton status");
    const [stale] = (await app.control()).troubledFires;
    expect(stale).toMatchObject({ status: "claimed", claimedBy: "replica-b:4242" });
    const digest = await app.digestDesk.compose(24 * 3600_000);
    expect(digest.troubledFires.map((f) => f.claimedBy)).toEqual(["replica-b:4242"]);
  });

  it("deletes a schedule after confirmation; an unknown id is one sentence", async () => {
    const { app, driver } = await start();
    await say(app, '/orchestrate schedule "0 9 * * *" digest #ops');
    const [schedule] = await app.rows.schedules.list();
    if (!schedule) throw new Error("no schedule");
    expect(await say(app, "/orchestrate unschedule sch_nope")).toBe(
      "There is no schedule `sch_nope`; `/orchestrate schedules` lists them.",
    );
    expect(await say(app, `/orchestrate unschedule ${schedule.id}`)).toContain(`Deleted schedule \`${schedule.id}\``);
    expect(await app.rows.schedules.list()).toEqual([]);
    expect(driver.armed.size).toBe(0);
  });

  it("catches up fires missed while down: skip records them, run_once runs the latest once", async () => {
    const first = await start();
    await say(first.app, '/orchestrate schedule "0 9 * * 1-5" digest #ops tz=Europe/Berlin');
    await say(first.app, '/orchestrate schedule "0 9 * * 1-5" digest #standup tz=Europe/Berlin missed=run_once');
    await first.app.close();
    apps = [];
    // Down from Friday 08:00 Berlin until Thursday noon: Fri, Mon, Tue, Wed, Thu 09:00 were missed.
    clock.set("2026-04-02T10:00:00Z");
    const second = await start();
    const schedules = await second.app.rows.schedules.list();
    const skip = schedules.find((s) => s.channel === "ops");
    const once = schedules.find((s) => s.channel === "standup");
    if (!skip || !once) throw new Error("schedules missing");
    expect(once.missedPolicy).toBe("run_once");

    const skipFires = await second.app.rows.schedules.fires(skip.id);
    expect(skipFires.map((f) => [f.fireTime.toISOString(), f.status, f.detail])).toEqual([
      ["2026-04-02T07:00:00.000Z", "skipped", "missed 5 fires while baton was down; skipped (policy skip)"],
    ]);
    const onceFires = await second.app.rows.schedules.fires(once.id);
    expect(onceFires.map((f) => [f.fireTime.toISOString(), f.status])).toEqual([["2026-04-02T07:00:00.000Z", "done"]]);
    expect(onceFires[0]?.detail).toContain("missed 5 fires while baton was down; ran once");
    expect(second.publisher.posts.map((p) => p.channel)).toEqual(["standup"]);

    // Starting again finds nothing new to catch up.
    await second.app.close();
    apps = [];
    const third = await start();
    expect(third.publisher.posts).toHaveLength(0);
    expect(await third.app.rows.schedules.fires(once.id)).toHaveLength(1);
  });

  it("runs a scheduled workflow as the scheduler, through orchestrator.handle, and audits it", async () => {
    const { app } = await start();
    expect(await say(app, '/orchestrate schedule "*/5 * * * *" hello name=Ada')).toContain("run hello");
    const [schedule] = await app.rows.schedules.list();
    if (!schedule) throw new Error("no schedule");
    const fireTime = nextFireAfter(schedule.cron, schedule.timeZone, clock.now());
    const outcome = await app.scheduler.fire(schedule.id, fireTime);
    expect(outcome).toMatchObject({ kind: "ran", detail: expect.stringMatching(/^started hello as ex_[0-9a-f]{16}$/) });
    const executionId = (outcome as { detail: string }).detail.split(" as ")[1] ?? "";
    const execution = await app.followUps.waitUntilSettled(executionId);
    expect(execution).toMatchObject({ status: "succeeded", requestedBy: "scheduler", input: { name: "Ada" } });
    const [entry] = await app.rows.audit.recent({ limit: 1, actor: "scheduler" });
    expect(entry).toMatchObject({ commandType: "workflow.run", executionId, outcome: "ok", platform: "scheduler" });
  });
});
