import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { renderText } from "../../src/bot/console/text-renderer.js";
import { type DiscordFrontEnd, startDiscord } from "../../src/bot/discord/start-discord.js";
import { renderResult } from "../../src/bot/render.js";
import { ADMIN_PERMISSION } from "../../src/commands/context.js";
import { nextFireAfter } from "../../src/orchestrator/scheduler/cron.js";
import { startTestApp } from "../support/app.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { FakeDiscord } from "../support/fake-discord.js";
import type { StoredMessage } from "../support/fake-discord-rest.js";

describe.each(DATABASE_KINDS)("digests posted through the Discord client ($kind)", ({ create }) => {
  let fake: FakeDiscord;
  let testDb: TestDatabase;
  let app: App;
  let discord: DiscordFrontEnd;

  beforeAll(async () => {
    fake = await new FakeDiscord({ heartbeatIntervalMs: 300 }).start();
    testDb = await create();
    app = await startTestApp({
      url: testDb.url,
      env: { BATON_DIGEST_RETRY_MS: "1", BATON_DIGEST_RETRIES: "3" },
    });
    discord = await startDiscord(
      {
        token: fake.token,
        applicationId: fake.applicationId,
        guildId: fake.guildId,
        apiUrl: fake.apiUrl,
        messageContent: false,
        publicKey: null,
        interactionsPort: 0,
      },
      app,
    );
    if (!discord.publisher) throw new Error("no discord publisher");
    app.registerPublisher(discord.publisher);
  });

  afterAll(async () => {
    await discord?.stop();
    await app?.close();
    await fake?.stop();
    await testDb?.drop();
  });

  const channelPosts = () => fake.requestsTo("POST", new RegExp(`^/channels/${fake.channelId}/messages$`));
  /** Digests the publisher posted (they carry a nonce; interaction replies do not). */
  const digestMessages = (): StoredMessage[] => [...fake.messages.values()].filter((m) => m.nonce !== undefined);

  /** `/orchestrate <request>` in the fake's channel; resolves with baton's answer once it has settled. */
  async function command(request: string, settled: (text: string) => boolean): Promise<string> {
    const { token } = fake.slashCommand("orchestrate", { request });
    return fake.until(() => {
      const text = FakeDiscord.text(fake.original(token));
      return settled(text) && text;
    }, `the answer to ${request}`);
  }

  it("posts `/orchestrate digest #channel` once as an embed and records Discord's message id", async () => {
    const answer = await command(`digest <#${fake.channelId}>`, (t) => t.includes("digest to"));
    const [message] = digestMessages();
    if (!message) throw new Error("no digest posted");
    expect(digestMessages()).toHaveLength(1);
    expect(message.channel_id).toBe(fake.channelId);
    expect(message.embeds).toHaveLength(1);
    expect(message.embeds[0]).toMatchObject({ title: "baton digest" });
    expect(answer).toContain(`Posted the digest to #${fake.channelId} (message ${message.id}, attempt 1)`);
    const [delivery] = await app.rows.digests.deliveries();
    expect(delivery).toMatchObject({ platform: "discord", status: "delivered", messageId: message.id });
  });

  it("retries 429s and 5xx answers under one nonce and posts exactly once", async () => {
    const before = channelPosts().length;
    const known = digestMessages().length;
    const path = new RegExp(`^/channels/${fake.channelId}/messages$`);
    fake.rateLimitNext("POST", path, 0.05);
    // discord.js retries a 5xx three times itself; the fourth 503 fails the attempt, the digest retries.
    fake.failNext("POST", path, 503, 4);
    await command(`digest <#${fake.channelId}>`, (t) => t.includes("digest to"));
    const attempts = channelPosts().slice(before);
    expect(attempts.map((r) => r.status)).toEqual([429, 503, 503, 503, 503, 200]);
    expect(new Set(attempts.map((r) => r.body?.nonce)).size).toBe(1);
    expect(attempts.every((r) => r.body?.enforce_nonce === true)).toBe(true);
    const fresh = digestMessages().slice(known);
    expect(fresh).toHaveLength(1);
    const [delivery] = await app.rows.digests.deliveries();
    expect(delivery).toMatchObject({ status: "delivered", attempts: 2, messageId: fresh[0]?.id });
  });

  it("records a post Discord refused as undelivered after one attempt and shows it in status", async () => {
    const known = digestMessages().length;
    fake.failNext("POST", new RegExp(`^/channels/${fake.channelId}/messages$`), 403);
    const answer = await command(`digest <#${fake.channelId}>`, (t) => t.includes("could not be posted"));
    expect(answer).toContain("after 1 attempt");
    expect(digestMessages()).toHaveLength(known);
    const [delivery] = await app.rows.digests.deliveries();
    expect(delivery).toMatchObject({ status: "failed", attempts: 1, messageId: null });
    const status = await app.orchestrator.handle(
      { type: "status" },
      {
        actor: { id: "ada", name: "Ada", platform: "discord" },
        origin: { platform: "discord", workspace: null, channel: fake.channelId, thread: null },
        permission: ADMIN_PERMISSION,
      },
    );
    const text = renderText(renderResult(status, { now: app.clock.now(), timeZone: "UTC" }));
    expect(text).toContain(`Digest for discord #${fake.channelId}`);
    expect(text).toContain("not delivered after 1 attempt");
  });

  it("posts a scheduled digest fire once, mentioning the earlier miss", async () => {
    await command(`schedule "0 9 * * 1-5" digest <#${fake.channelId}> tz=Europe/Berlin`, (t) => t.includes("0 9"));
    const [schedule] = await app.rows.schedules.list();
    if (!schedule) throw new Error("no schedule");
    expect(schedule).toMatchObject({ platform: "discord", channel: fake.channelId });
    const fireTime = nextFireAfter(schedule.cron, schedule.timeZone, app.clock.now());
    const known = digestMessages().length;
    const desk = app.digestDesk;
    expect(await desk.scheduled(schedule, fireTime)).toMatch(
      /^digest delivered to discord #\d+ as message \d+ \(attempt 1\)$/,
    );
    expect(await desk.scheduled(schedule, fireTime)).toContain("had already been handled");
    const fresh = digestMessages().slice(known);
    expect(fresh).toHaveLength(1);
    expect(JSON.stringify(fresh[0]?.embeds)).toContain("was not delivered after 1 attempt");
  });
});
