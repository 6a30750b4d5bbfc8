import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { ScheduleRepository } from "../../src/db/repositories/schedule-repository.js";
import { buildSchedule } from "../../src/orchestrator/scheduler/schedule-spec.js";
import { chatRequest, RecordingConversation } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { FakeClock } from "../support/fake-clock.js";
import { RecordingPublisher, startSchedulingApp } from "../support/scheduling.js";

const SENTENCE =
  "`*/1 * * * * *` can fire 1 second after its previous fire, but baton runs a schedule at most once every 1 minute (BATON_SCHEDULE_MIN_INTERVAL_S); use a cron whose fires are further apart, e.g. `*/5 * * * *`.";

describe.each(DATABASE_KINDS)("schedules fire at most once a minute on $kind", ({ create }) => {
  let testDb: TestDatabase;
  let apps: App[];
  let clock: FakeClock;
  let publisher: RecordingPublisher;

  beforeEach(async () => {
    testDb = await create();
    apps = [];
    clock = new FakeClock(new Date("2026-03-27T07:00:00Z"));
    publisher = new RecordingPublisher("console");
  });

  afterEach(async () => {
    for (const app of apps) await app.close();
    await testDb.drop();
  });

  async function start(env: Record<string, string> = {}): Promise<App> {
    const app = await startSchedulingApp({ url: testDb.url, clock, publishers: [publisher], env });
    apps.push(app);
    return app;
  }

  async function say(app: App, text: string): Promise<string> {
    const conversation = new RecordingConversation(true);
    await (await app.dispatcher.dispatch(chatRequest(text), conversation)).settled;
    return conversation.lastText;
  }

  it("refuses a six-field per-second cron at schedule.create in one sentence, and stores nothing", async () => {
    const app = await start();
    expect(await say(app, '/orchestrate schedule "*/1 * * * * *" digest #ops')).toBe(SENTENCE);
    expect(await app.rows.schedules.list()).toEqual([]);
    // Once a minute is the floor, not a refusal; a lower BATON_SCHEDULE_MIN_INTERVAL_S opens seconds.
    expect(await say(app, '/orchestrate schedule "* * * * *" digest #ops')).toMatch(/Scheduled `sch_[0-9a-f]{16}`/);
  });

  it("lets BATON_SCHEDULE_MIN_INTERVAL_S raise and lower the floor", async () => {
    const strict = await start({ BATON_SCHEDULE_MIN_INTERVAL_S: "3600" });
    expect(await say(strict, '/orchestrate schedule "*/5 * * * *" digest #ops')).toContain(
      "can fire 5 minutes after its previous fire, but baton runs a schedule at most once every 1 hour",
    );
    await strict.close();
    apps = [];
    const loose = await start({ BATON_SCHEDULE_MIN_INTERVAL_S: "30" });
    expect(await say(loose, '/orchestrate schedule "*/30 * * * * *" digest #ops')).toMatch(
      /Scheduled `sch_[0-9a-f]{16}`/,
    );
  });

  it("refuses the same cron in BATON_SCHEDULES_FILE, naming the file and the entry", async () => {
    const file = join(tempDir("schedules"), "schedules.yaml");
    writeFileSync(
      file,
      ["schedules:", "  - { id: fast, cron: '*/1 * * * * *', action: digest, channel: ops }", ""].join("\n"),
    );
    const app = await start({ BATON_SCHEDULES_FILE: file });
    expect(await app.rows.schedules.list()).toEqual([]);
    const listed = await (
      await app.dispatcher.dispatch(chatRequest("/orchestrate schedules"), new RecordingConversation())
    ).settled;
    expect(listed.result).toMatchObject({
      type: "schedule.list",
      problems: [`${file}: schedules[0] (fast): ${SENTENCE}`],
    });
  });

  it("holds a per-second schedule stored before the limit to one fire a minute, across a restart", async () => {
    const now = clock.now();
    const stored = buildSchedule(
      {
        id: "sch_legacy",
        cron: "*/1 * * * * *",
        timeZone: "UTC",
        action: "digest",
        platform: "console",
        channel: "ops",
        createdBy: "console:mallory",
        source: "chat",
      },
      now,
      () => false,
      1,
    );
    const first = await start();
    await new ScheduleRepository(first.database).create(stored);
    const second = (at: number) => new Date(now.getTime() + at * 1000);
    const fire = (app: App, at: number) => {
      clock.set(second(at));
      return app.scheduler.fire(stored.id, second(at));
    };
    const outcomes: string[] = [];
    for (let at = 1; at <= 30; at += 1) outcomes.push((await fire(first, at)).kind);
    await first.close();
    apps = [];
    const restarted = await start();
    for (let at = 31; at <= 62; at += 1) outcomes.push((await fire(restarted, at)).kind);

    expect(outcomes.filter((kind) => kind === "ran")).toHaveLength(2);
    const fires = await restarted.rows.schedules.fires(stored.id);
    expect(fires.map((f) => f.fireTime.toISOString()).sort()).toEqual([
      second(1).toISOString(),
      second(61).toISOString(),
    ]);
    expect(publisher.posts).toHaveLength(2);
  });
});
