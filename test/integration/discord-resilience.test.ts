import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { type DiscordFrontEnd, startDiscord } from "../../src/bot/discord/start-discord.js";
import { reply } from "../../src/bot/reply.js";
import { startTestApp } from "../support/app.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { FakeDiscord } from "../support/fake-discord.js";

let fake: FakeDiscord;
let testDb: TestDatabase;
let app: App;
let discord: DiscordFrontEnd;

beforeAll(async () => {
  fake = await new FakeDiscord({ heartbeatIntervalMs: 300 }).start();
  testDb = sqliteDatabase();
  app = await startTestApp({ url: testDb.url });
  discord = await startDiscord(
    {
      token: fake.token,
      applicationId: fake.applicationId,
      guildId: fake.guildId,
      apiUrl: fake.apiUrl,
      messageContent: true,
      publicKey: null,
      interactionsPort: 0,
    },
    app,
  );
});

afterAll(async () => {
  await discord?.stop();
  await app?.close();
  await fake?.stop();
  await testDb?.drop();
});

async function askStatus(): Promise<string> {
  const { token } = fake.slashCommand("orchestrate", { request: "status" });
  return fake.until(() => {
    const text = FakeDiscord.text(fake.original(token));
    return text.includes("baton status") && text;
  }, "the status reply");
}

describe("Discord when the network misbehaves", () => {
  it("asks for MessageContent only when configured", () => {
    expect(fake.lastIntents).toBe(1 | 512 | 4096 | 32768);
  });

  it("honours a 429 on an edit: waits, retries once, and the reply arrives", async () => {
    fake.rateLimitNext("PATCH", /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/, 0.2);
    const { token } = fake.slashCommand("orchestrate", { request: "status" });
    await fake.until(() => FakeDiscord.text(fake.original(token)).includes("baton status"), "the edit after the 429");
    const edits = fake.requestsTo("PATCH", new RegExp(`/webhooks/\\d+/${token}/messages/@original$`));
    expect(edits.map((e) => e.status)).toEqual([429, 200]);
  });

  it("posts a channel message once through a 429 and a retried delivery (nonce)", async () => {
    const publisher = discord.publisher;
    if (!publisher) throw new Error("no publisher");
    fake.rateLimitNext("POST", new RegExp(`^/channels/${fake.channelId}/messages$`), 0.2);
    const first = await publisher.publish(fake.channelId, reply("Daily digest"), {
      idempotencyKey: "digest:2026-11-21",
    });
    const again = await publisher.publish(fake.channelId, reply("Daily digest"), {
      idempotencyKey: "digest:2026-11-21",
    });
    expect(again.id).toBe(first.id);
    const posts = fake.requestsTo("POST", new RegExp(`^/channels/${fake.channelId}/messages$`));
    expect(posts.map((p) => p.status)).toEqual([429, 200, 200]);
    const digests = [...fake.messages.values()].filter((m) => FakeDiscord.text(m).includes("Daily digest"));
    expect(digests).toHaveLength(1);
  });

  it("resumes after the gateway drops the socket, replays what was missed and keeps serving", async () => {
    expect(fake.identifies).toBe(1);
    fake.dropConnection(4000);
    // Sent while the socket is down: Discord replays it after RESUME.
    const missed = fake.slashCommand("orchestrate", { request: "status" });
    await fake.until(() => fake.resumes === 1 && fake.connected, "the resume");
    await fake.until(
      () => FakeDiscord.text(fake.original(missed.token)).includes("baton status"),
      "the replayed command",
    );
    expect(fake.identifies).toBe(1);
    expect(await askStatus()).toMatch(/discord: events arriving \(last \d+ s ago\)/);
  });

  it("re-identifies when the gateway closes normally, and keeps serving", async () => {
    fake.dropConnection(1000);
    await fake.until(() => fake.identifies === 2 && fake.connected, "a new session");
    expect(await askStatus()).toContain("baton status");
  });
});
