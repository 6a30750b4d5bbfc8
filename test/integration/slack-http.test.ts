import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reply } from "../../src/bot/reply.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { SlackMessageRepository } from "../../src/db/repositories/slack-message-repository.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { BOT_USER, TEAM } from "../support/fake-slack.js";
import { type SlackHarness, startSlackHarness } from "../support/fake-slack-app.js";
import { commandBody, eventBody, postSigned } from "../support/fake-slack-requests.js";

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

type Args = Record<string, unknown>;
const blocksText = (args: Args) => JSON.stringify(args.blocks ?? []);

describe.each(DATABASE_KINDS)("Slack in HTTP mode ($kind)", ({ create }) => {
  let db: TestDatabase;
  let h: SlackHarness;

  beforeAll(async () => {
    db = await create();
    h = await startSlackHarness(db, "http");
  });

  afterAll(async () => {
    await h.close();
    await db.drop();
  });

  const command = (text: string, fields: Record<string, string> = {}) =>
    postSigned(h.eventsUrl, commandBody("/orchestrate", text, fields), FORM);
  /** A member who is no admin: status is one message for them (admins also get their internals privately). */
  const VIEWER = { user_id: "U0VIEW", user_name: "vic" };

  it("acks /orchestrate status and posts the status to the channel", async () => {
    const before = h.slack.performed("chat.postMessage").length;
    const response = await command("status", VIEWER);
    expect(response.status).toBe(200);
    const post = await h.slack.waitFor(
      () => h.slack.performed("chat.postMessage").slice(before)[0],
      "the status reply",
    );
    expect(post.channel).toBe("C0OPS");
    expect(blocksText(post)).toContain("baton status");
    expect(post.thread_ts).toBeUndefined();
  });

  it("answers help to the asker alone (chat.postEphemeral)", async () => {
    await command("help", VIEWER);
    const ephemeral = await h.slack.waitFor(
      () => h.slack.performed("chat.postEphemeral").find((p) => p.user === "U0VIEW"),
      "an ephemeral help",
    );
    expect(ephemeral).toMatchObject({ channel: "C0OPS", user: "U0VIEW" });
    expect(String(ephemeral.text)).toContain("baton help");
    // A viewer's help lists what a viewer may run, and says so.
    expect(String(ephemeral.text)).toContain("/orchestrate status");
    expect(String(ephemeral.text)).not.toContain("/orchestrate grant");
    expect(String(ephemeral.text)).not.toMatch(/\/orchestrate run </);
    expect(blocksText(ephemeral)).toContain("Showing what you may run here (viewer)");
  });

  it("rejects bad signatures and stale timestamps with 401, and runs nothing", async () => {
    const calls = h.slack.calls.length;
    const audited = (await new AuditRepository(h.app.database).recent({ limit: 500 })).length;
    const body = commandBody("/orchestrate", "status", VIEWER);
    expect((await postSigned(h.eventsUrl, body, FORM, { secret: "not-the-secret-at-all" })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 10 * 60;
    expect((await postSigned(h.eventsUrl, body, FORM, { timestamp: stale })).status).toBe(401);
    expect((await postSigned(h.eventsUrl, body, FORM, { signature: "v0=deadbeef" })).status).toBe(401);
    // Refused before Bolt acked anything: once the front-end is idle, nothing ran behind the 401s.
    await h.settle();
    expect(h.slack.calls.length).toBe(calls);
    // The same body signed with the right secret is dispatched: the three above were refused for their signature alone.
    expect((await postSigned(h.eventsUrl, body, FORM)).status).toBe(200);
    await h.settle();
    expect(h.slack.calls.slice(calls).filter((c) => c.method.startsWith("chat.")).length).toBe(1);
    expect((await new AuditRepository(h.app.database).recent({ limit: 500 })).length).toBe(audited + 1);
  });

  it("answers a mention in its thread and records who asked, from which workspace", async () => {
    const event = {
      type: "app_mention",
      user: "U0ADA",
      text: `<@${BOT_USER}> status`,
      channel: "C0OPS",
      ts: "1700000100.000200",
      thread_ts: "1700000100.000100",
    };
    expect((await postSigned(h.eventsUrl, eventBody(event, "EvMENTION1"), JSON_TYPE)).status).toBe(200);
    const reply = await h.slack.waitFor(
      () => h.slack.performed("chat.postMessage").find((p) => p.thread_ts === "1700000100.000100"),
      "a reply in the thread",
    );
    expect(reply.channel).toBe("C0OPS");
    const audit = await new AuditRepository(h.app.database).recent({ limit: 20 });
    const row = audit.find((e) => e.dedupeKey === "slack:EvMENTION1");
    expect(row).toMatchObject({
      platform: "slack",
      workspace: TEAM,
      channel: "C0OPS",
      thread: "1700000100.000100",
      actorId: "U0ADA",
      actorName: "Ada",
    });
  });

  it("runs a retried event (X-Slack-Retry-Num) once", async () => {
    const event = {
      type: "message",
      channel_type: "im",
      user: "U0VIEW",
      text: "status",
      channel: "D0VIEW",
      ts: "1700000200.000100",
    };
    const body = eventBody(event, "EvRETRY1");
    expect((await postSigned(h.eventsUrl, body, JSON_TYPE)).status).toBe(200);
    expect((await postSigned(h.eventsUrl, body, JSON_TYPE, { retryNum: 1 })).status).toBe(200);
    expect((await postSigned(h.eventsUrl, body, JSON_TYPE, { retryNum: 2 })).status).toBe(200);
    await h.slack.waitFor(
      () => h.slack.performed("chat.postMessage").find((p) => p.channel === "D0VIEW"),
      "the DM reply",
    );
    await h.settle();
    expect(h.slack.performed("chat.postMessage").filter((p) => p.channel === "D0VIEW")).toHaveLength(1);
    const rows = (await new AuditRepository(h.app.database).recent({ limit: 50 })).filter(
      (e) => e.dedupeKey === "slack:EvRETRY1",
    );
    expect(rows).toHaveLength(1);
  });

  it("ignores its own messages and other bots'", async () => {
    const calls = h.slack.calls.length;
    const own = {
      type: "message",
      channel_type: "im",
      user: BOT_USER,
      text: "status",
      channel: "D0ADA",
      ts: "1700000300.1",
    };
    const bot = { ...own, user: "U0OTHER", bot_id: "B0OTHER", ts: "1700000300.2" };
    await postSigned(h.eventsUrl, eventBody(own), JSON_TYPE);
    await postSigned(h.eventsUrl, eventBody(bot), JSON_TYPE);
    await h.settle();
    expect(h.slack.calls.slice(calls).filter((c) => c.method.startsWith("chat."))).toEqual([]);
  });

  it("honours a 429's Retry-After and posts once", async () => {
    h.slack.rateLimitNext("chat.postMessage", 1);
    const before = h.slack.calls.length;
    await command("status", { channel_id: "C0LIMITED", ...VIEWER });
    await h.slack.waitFor(
      () => h.slack.performed("chat.postMessage").find((p) => p.channel === "C0LIMITED"),
      "the post after the 429",
    );
    await h.settle();
    const attempts = h.slack.calls.slice(before).filter((c) => c.method === "chat.postMessage");
    expect(attempts.map((c) => c.performed)).toEqual([false, true]);
    const recorded = await new SlackMessageRepository(h.app.database).list({ channel: "C0LIMITED" });
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.ts).toMatch(/^1700000000\./);
  });

  it("answers through the response_url in a channel baton has not joined", async () => {
    h.slack.refusedChannels.set("C0NOTJOINED", "not_in_channel");
    await command("status", { channel_id: "C0NOTJOINED", response_url: h.slack.responseUrl("notjoined"), ...VIEWER });
    const answer = await h.slack.waitFor(() => h.slack.performed("response_url").at(-1), "a response_url answer");
    expect(answer.response_type).toBe("in_channel");
    expect(JSON.stringify(answer.blocks)).toContain("baton status");
    await h.settle();
    const row = (await new AuditRepository(h.app.database).recent({ limit: 5 })).find(
      (e) => e.channel === "C0NOTJOINED",
    );
    expect(row?.outcome).toBe("ok");
    expect(row?.errorCode).toBeNull();
  });

  it("publishes to a channel once per idempotency key", async () => {
    const digest = reply("Daily digest", [{ type: "section", text: "All quiet." }]);
    const first = await h.frontEnd.publisher.publish("#C0DIGEST", digest, { idempotencyKey: "digest:2026-11-21" });
    const again = await h.frontEnd.publisher.publish("#C0DIGEST", digest, { idempotencyKey: "digest:2026-11-21" });
    expect(again.id).toBe(first.id);
    expect(h.slack.performed("chat.postMessage").filter((p) => p.channel === "C0DIGEST")).toHaveLength(1);
  });

  it("posts the plain text when Slack refuses a reply's blocks", async () => {
    h.slack.refuseBlocksOnce = true;
    await command("status", { channel_id: "C0BLOCKS" });
    const post = await h.slack.waitFor(
      () => h.slack.performed("chat.postMessage").find((p) => p.channel === "C0BLOCKS" && p.blocks === undefined),
      "the text-only post",
    );
    expect(String(post.text)).toContain("baton status");
    const attempts = h.slack.calls.filter((c) => c.method === "chat.postMessage" && c.args.channel === "C0BLOCKS");
    expect(attempts).toHaveLength(2);
  });
});
