import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { renderText } from "../../src/bot/console/text-renderer.js";
import { renderResult } from "../../src/bot/render.js";
import { ADMIN_PERMISSION } from "../../src/commands/context.js";
import { nextFireAfter } from "../../src/orchestrator/scheduler/cron.js";
import { chatRequest, RecordingConversation } from "../support/app.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { FakeClock } from "../support/fake-clock.js";
import { FakeChatServer, HttpPublisher, startSchedulingApp } from "../support/scheduling.js";

describe.each(DATABASE_KINDS)("digest delivery on $kind", ({ create }) => {
  let testDb: TestDatabase;
  let app: App;
  let server: FakeChatServer;
  let clock: FakeClock;

  beforeEach(async () => {
    testDb = await create();
    server = new FakeChatServer();
    const url = await server.start();
    clock = new FakeClock(new Date("2026-03-27T07:00:00Z"));
    app = await startSchedulingApp({
      url: testDb.url,
      clock,
      publishers: [new HttpPublisher("console", url)],
      env: { BATON_DIGEST_RETRIES: "4", BATON_DIGEST_RETRY_MS: "250" },
    });
  });

  afterEach(async () => {
    await app.close();
    await server.stop();
    await testDb.drop();
  });

  /** The request's own reply as posted (a pattern offer that follows it is a separate post). */
  async function say(text: string) {
    const conversation = new RecordingConversation(true);
    const { reply } = await (await app.dispatcher.dispatch(chatRequest(text), conversation)).settled;
    expect(conversation.posts.map((posted) => posted.text)).toContain(reply.text);
    return reply.text;
  }

  it("retries a failed post with backoff under one idempotency key and records the message id", async () => {
    server.failFirst = 2;
    const answering = say("/orchestrate digest #ops");
    await clock.passSleeps(2);
    const answer = await answering;
    expect(answer).toBe("📬 Posted the digest to #ops (message msg-1, attempt 3).");
    expect(server.requests).toHaveLength(3);
    expect(new Set(server.requests.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(server.requests[0]?.idempotencyKey).toMatch(/^digest:request:\d+$/);
    expect(clock.sleeps).toEqual([250, 500]);
    const [delivery] = await app.rows.digests.deliveries();
    expect(delivery).toMatchObject({ status: "delivered", attempts: 3, messageId: "msg-1", channel: "ops" });
  });

  it("never posts one scheduled digest twice, even when asked to deliver it again", async () => {
    await say('/orchestrate schedule "0 9 * * 1-5" digest #ops tz=Europe/Berlin');
    const [schedule] = await app.rows.schedules.list();
    if (!schedule) throw new Error("no schedule");
    const fireTime = nextFireAfter(schedule.cron, schedule.timeZone, clock.now());
    const desk = app.digestDesk;
    expect(await desk.scheduled(schedule, fireTime)).toBe(
      "digest delivered to console #ops as message msg-1 (attempt 1)",
    );
    expect(await desk.scheduled(schedule, fireTime)).toBe(
      `digest for console #ops had already been handled under digest:${schedule.id}:${fireTime.toISOString()}`,
    );
    expect(server.requests).toHaveLength(1);
  });

  it("shows an undelivered digest in status and in the next digest, then marks it reported", async () => {
    server.failAlways = true;
    const failing = say("/orchestrate digest #ops");
    await clock.passSleeps(3);
    const failed = await failing;
    expect(failed).toBe(
      "⚠️ The digest could not be posted to #ops after 4 attempts: The chat server answered 503 (busy). It shows in status and in the next digest.",
    );
    expect(server.requests).toHaveLength(4);
    expect(clock.sleeps).toEqual([250, 500, 1000]);

    const status = await app.orchestrator.handle({ type: "status" }, context());
    const statusText = renderText(renderResult(status, { now: clock.now(), timeZone: "UTC" }));
    expect(statusText).toContain("Digest for console #ops (just now) not delivered after 4 attempts");

    server.failAlways = false;
    expect(await say("/orchestrate digest #ops")).toBe("📬 Posted the digest to #ops (message msg-1, attempt 1).");
    const posted = server.requests.at(-1)?.text ?? "";
    expect(posted).toContain("1 earlier digest not delivered.");
    expect(await app.rows.digests.undelivered()).toEqual([]);
    const [latest, earlier] = await app.rows.digests.deliveries();
    expect(latest?.status).toBe("delivered");
    expect(earlier).toMatchObject({ status: "failed", attempts: 4, lastError: "The chat server answered 503 (busy)." });
    expect(earlier?.reportedAt).not.toBeNull();
  });

  it("does not retry a post the platform refused outright, and says so", async () => {
    const answer = await say("/orchestrate digest #ops");
    expect(answer).toContain("Posted the digest");
    // A platform nobody configured: no front-end can post there; one attempt, one sentence.
    const result = await app.orchestrator.handle(
      { type: "digest", channel: "#general" },
      { ...context(), origin: { platform: "slack", workspace: null, channel: "C1", thread: null } },
    );
    expect(result).toMatchObject({
      type: "digest",
      delivery: {
        status: "failed",
        attempts: 1,
        error: "baton cannot post to slack: no slack front-end is running here (it can post to console).",
      },
    });
  });
});

function context() {
  return {
    actor: { id: "ada", name: "Ada", platform: "console" },
    origin: { platform: "console", workspace: null, channel: "test", thread: null },
    permission: ADMIN_PERMISSION,
  };
}
