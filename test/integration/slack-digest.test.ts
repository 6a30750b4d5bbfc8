import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderText } from "../../src/bot/console/text-renderer.js";
import { renderResult } from "../../src/bot/render.js";
import { ADMIN_PERMISSION } from "../../src/commands/context.js";
import { nextFireAfter } from "../../src/orchestrator/scheduler/cron.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { type SlackHarness, startSlackHarness } from "../support/fake-slack-app.js";
import { commandBody, postSigned } from "../support/fake-slack-requests.js";

type Args = Record<string, unknown>;
/** The digest itself opens with its header; baton's answer in the channel (which may quote it) does not. */
const isDigest = (args: Args) => {
  const [first] = (args.blocks ?? []) as Array<{ type: string; text?: { text?: string } }>;
  return first?.type === "header" && first.text?.text === "baton digest";
};

describe.each(DATABASE_KINDS)("digests posted through the Slack front-end ($kind)", ({ create }) => {
  let db: TestDatabase;
  let h: SlackHarness;

  beforeAll(async () => {
    db = await create();
    h = await startSlackHarness(db, "http", { BATON_DIGEST_RETRY_MS: "1", BATON_DIGEST_RETRIES: "3" });
    h.app.registerPublisher(h.frontEnd.publisher);
  });

  afterAll(async () => {
    await h.close();
    await db.drop();
  });

  /** `/orchestrate <text>` in #ops; resolves with baton's answer in the channel. */
  async function command(text: string): Promise<string> {
    const before = h.slack.performed("chat.postMessage").length;
    expect(
      (await postSigned(h.eventsUrl, commandBody("/orchestrate", text), "application/x-www-form-urlencoded")).status,
    ).toBe(200);
    await h.settle();
    const answer = h.slack
      .performed("chat.postMessage")
      .slice(before)
      .find((args) => !isDigest(args));
    return String(answer?.text ?? "");
  }

  const digestAttempts = () => h.slack.calls.filter((c) => c.method === "chat.postMessage" && isDigest(c.args));
  const digestPosts = () => h.slack.performed("chat.postMessage").filter(isDigest);

  it("posts `/orchestrate digest #ops` once as Block Kit and records Slack's ts", async () => {
    const answer = await command("digest <#C0OPS|ops>");
    const [post] = digestPosts();
    if (!post) throw new Error(`no digest posted; calls: ${h.slack.summary()}`);
    expect(digestPosts()).toHaveLength(1);
    expect(post.channel).toBe("C0OPS");
    const blocks = post.blocks as Array<{ type: string }>;
    expect(blocks[0]).toMatchObject({ type: "header", text: { type: "plain_text", text: "baton digest" } });
    expect(blocks.map((b) => b.type)).toContain("section");
    const ts = h.slack.tsOf(post);
    expect(answer).toContain(`Posted the digest to #C0OPS (message ${ts}, attempt 1)`);
    const [delivery] = await h.app.rows.digests.deliveries();
    expect(delivery).toMatchObject({ platform: "slack", channel: "C0OPS", status: "delivered", messageId: ts });
  });

  it("waits out 429s (queue, then digest backoff) under one key and posts exactly once", async () => {
    const before = digestAttempts().length;
    // Four refusals outlast the send queue's three Retry-After retries; the digest retries once more.
    for (let i = 0; i < 4; i += 1) h.slack.rateLimitNext("chat.postMessage", 0);
    const answer = await command("digest <#C0OPS|ops>");
    const attempts = digestAttempts().slice(before);
    expect(attempts.map((c) => c.performed)).toEqual([false, false, false, false, true]);
    const [delivery] = await h.app.rows.digests.deliveries();
    const posted = attempts.at(-1)?.args ?? {};
    expect(delivery).toMatchObject({ status: "delivered", attempts: 2, messageId: h.slack.tsOf(posted) });
    expect(answer).toContain("attempt 2");
  });

  it("does not re-post after a 5xx (Slack may have posted), and shows the miss in status", async () => {
    const before = digestAttempts().length;
    h.slack.failNext("chat.postMessage", 503);
    const answer = await command("digest <#C0OPS|ops>");
    expect(digestAttempts().slice(before)).toHaveLength(1);
    expect(answer).toContain("The digest could not be posted to #C0OPS after 1 attempt");
    const [delivery] = await h.app.rows.digests.deliveries();
    expect(delivery).toMatchObject({ status: "failed", attempts: 1, messageId: null });
    const context = {
      actor: { id: "U0ADA", name: "Ada", platform: "slack" },
      origin: { platform: "slack", workspace: null, channel: "C0OPS", thread: null },
      permission: ADMIN_PERMISSION,
    };
    const status = await h.app.orchestrator.handle({ type: "status" }, context);
    const text = renderText(renderResult(status, { now: h.app.clock.now(), timeZone: "UTC" }));
    expect(text).toContain("Digest for slack #C0OPS");
    expect(text).toContain("not delivered after 1 attempt");
  });

  it("posts a scheduled digest fire once, and the next one says an earlier digest was missed", async () => {
    await command('schedule "0 9 * * 1-5" digest <#C0OPS|ops> tz=Europe/Berlin');
    const [schedule] = await h.app.rows.schedules.list();
    if (!schedule) throw new Error("no schedule");
    expect(schedule).toMatchObject({ platform: "slack", channel: "C0OPS" });
    const fireTime = nextFireAfter(schedule.cron, schedule.timeZone, h.app.clock.now());
    const before = digestPosts().length;
    const desk = h.app.digestDesk;
    expect(await desk.scheduled(schedule, fireTime)).toMatch(
      /^digest delivered to slack #C0OPS as message \S+ \(attempt 1\)$/,
    );
    expect(await desk.scheduled(schedule, fireTime)).toContain("had already been handled");
    const posts = digestPosts().slice(before);
    expect(posts).toHaveLength(1);
    expect(String(posts[0]?.text)).toContain("earlier digest not delivered");
  });
});
