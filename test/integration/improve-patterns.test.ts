import { afterEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { EventRepository } from "../../src/db/repositories/event-repository.js";
import { ScheduleRepository } from "../../src/db/repositories/schedule-repository.js";
import { startAgentsApp } from "../support/agents-app.js";
import { chatRequest, RecordingConversation, workflowsWithSlowOne } from "../support/app.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { FakeClock } from "../support/fake-clock.js";

let testDb: TestDatabase;
let app: App;
const clock = new FakeClock(Date.parse("2026-11-02T09:00:00Z"));

afterEach(async () => {
  await app.close();
  await testDb.drop();
});

async function run(text: string, actor = "ada") {
  const conversation = new RecordingConversation(true);
  const outcome = await app.dispatcher.dispatch(
    chatRequest(text, { receivedAt: clock.now(), actor: { id: actor, name: actor, platform: "console" } }),
    conversation,
  );
  await outcome.settled;
  return conversation.posts.map((p) => p.text).filter((t) => t.startsWith("🔁"));
}

/** The `/orchestrate schedule …` an offer names. */
function offered(offer: string): string {
  const command = /Schedule it: `([^`]+)`/.exec(offer)?.[1];
  if (command === undefined) throw new Error(`no schedule offered in ${offer}`);
  return command;
}

async function accept(text: string): Promise<void> {
  const outcome = await app.dispatcher.dispatch(
    chatRequest(text, { receivedAt: clock.now() }),
    new RecordingConversation(true),
  );
  expect(outcome.outcome, `${text}: ${outcome.reply.text}`).toBe("ok");
}

describe("pattern detection", () => {
  it("offers to schedule a request made three times within seven days, once", async () => {
    testDb = sqliteDatabase();
    app = await startAgentsApp({ url: testDb.url, workflowsDir: workflowsWithSlowOne(), clock });

    expect(await run("/orchestrate run hello name=Ada")).toEqual([]);
    clock.jump(8 * 24 * 3_600_000);
    // The first run is now outside the window: two in the window are not a pattern yet.
    expect(await run("/orchestrate run hello name=Bob")).toEqual([]);
    expect(await run("/orchestrate run hello name=Cy", "grace")).toEqual([]);
    clock.jump(24 * 3_600_000);
    expect(await run("/orchestrate run hello name=Di")).toEqual([]);
    const offers = await run("/orchestrate run hello name=Eve");
    expect(offers).toHaveLength(1);
    expect(offers[0]).toContain("You have run `workflow.run hello [name]` 3 times this week.");
    expect(offers[0]).toContain('Schedule it: `/orchestrate schedule "0 9 * * 1-5" run hello name=Eve`');
    expect(await run("/orchestrate run hello name=Flo")).toEqual([]);
    // What baton offers is a command it accepts: the schedule it creates runs hello with the inputs given.
    await accept(offered(offers[0] ?? ""));
    expect((await new ScheduleRepository(app.database).list()).map((s) => [s.workflow, s.input])).toEqual([
      ["hello", { name: "Eve" }],
    ]);

    await app.eventLog.flush();
    const events = await new EventRepository(app.database).since(new Date(0), ["pattern.recognized"]);
    expect(events.map((e) => [e.actorId, e.payload.shape, e.payload.count])).toEqual([
      ["ada", "workflow.run hello [name]", 3],
    ]);
  });

  it("offers to schedule a digest asked for three times in a week, without inputs to save", async () => {
    testDb = sqliteDatabase();
    app = await startAgentsApp({ url: testDb.url, workflowsDir: workflowsWithSlowOne(), clock });

    expect(await run("/orchestrate digest")).toEqual([]);
    expect(await run("/orchestrate digest", "grace")).toEqual([]);
    clock.jump(3_600_000);
    expect(await run("/orchestrate digest")).toEqual([]);
    const offers = await run("/orchestrate digest");
    expect(offers).toHaveLength(1);
    expect(offers[0]).toContain("You have run `digest []` 3 times this week.");
    expect(offers[0]).toContain('Schedule it: `/orchestrate schedule "0 9 * * 1-5" digest`');
    expect(offers[0]).not.toContain("defaults");
    await accept(offered(offers[0] ?? ""));
    expect((await new ScheduleRepository(app.database).list()).map((s) => s.action)).toEqual(["digest"]);
  });
});
