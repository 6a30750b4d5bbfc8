import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { DiscordAdapter } from "../../src/bot/discord/discord-adapter.js";
import { type Database, openDatabase } from "../../src/db/database.js";
import { type AuditEntry, AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { silentLogger } from "../../src/logger.js";
import { RecordingConversation, startTestApp } from "../support/app.js";
import { runCli, WORKFLOWS_DIR } from "../support/cli.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { startFakeAnthropic } from "../support/fake-anthropic.js";
import { FakeDiscord } from "../support/fake-discord.js";
import { fakeUser } from "../support/fake-discord-payloads.js";
import type { FakeLlmServer } from "../support/fake-llm.js";
import { BOT_USER } from "../support/fake-slack.js";
import { type SlackHarness, startSlackHarness } from "../support/fake-slack-app.js";
import { commandBody, eventBody, postSigned } from "../support/fake-slack-requests.js";

/**
 * Issue 12 item 2: one length limit at every entry point, answered with one sentence naming it and
 * recorded as `invalid` — never a silently cut copy acted on.
 */

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";
const LIMIT_SENTENCE =
  /That message is [\d,]+ characters; baton reads at most 4,000, so shorten it and send it again\./;

/** A 100 KB name: on main the rules router cut it to 1,985 characters and ran the workflow with that. */
const HUGE_NAME = "A".repeat(100_000);

function expectRefusedRow(row: AuditEntry | undefined, length: number): void {
  expect(row).toMatchObject({ outcome: "invalid", errorCode: "input_too_long", commandType: null, command: null });
  expect(row?.errorMessage).toMatch(LIMIT_SENTENCE);
  expect(row?.errorMessage).toContain(length.toLocaleString("en-US"));
  // The stored text is clipped for storage and says so; nothing ran on it.
  expect(row?.text.length).toBeLessThan(4200);
  expect(row?.text).toContain(`[clipped for storage: ${length.toLocaleString("en-US")} characters in all]`);
}

describe("the input limit in the dispatcher", () => {
  let testDb: TestDatabase;
  let app: App;

  beforeAll(async () => {
    testDb = sqliteDatabase();
    app = await startTestApp({ url: testDb.url, resume: false });
  });

  afterAll(async () => {
    await app.close();
    await testDb.drop();
  });

  async function say(text: string) {
    const conversation = new RecordingConversation();
    const outcome = await app.dispatcher.dispatch(
      {
        platform: "console",
        workspace: null,
        channel: "console",
        thread: null,
        actor: { id: "ada", name: "ada", platform: "console" },
        text,
        dedupeKey: `test:${Math.random()}`,
        receivedAt: new Date(),
      },
      conversation,
    );
    const row = outcome.auditId === null ? undefined : await new AuditRepository(app.database).get(outcome.auditId);
    return { outcome, conversation, row: row ?? undefined };
  }

  it("refuses a 100 KB name instead of running the workflow with a cut-off copy", async () => {
    const text = `run the hello workflow for ${HUGE_NAME}`;
    const { outcome, conversation, row } = await say(text);
    expect(outcome.outcome).toBe("invalid");
    expect(outcome.command).toBeNull();
    expect(conversation.posts).toHaveLength(1);
    expect(conversation.posts[0]?.text).toMatch(LIMIT_SENTENCE);
    expect(conversation.posts[0]?.text).toContain("100,027 characters");
    expectRefusedRow(row, text.length);
    expect(await new ExecutionRepository(app.database).list({ limit: 5 })).toEqual([]);
  });

  it("refuses over-long grammar too, with the same sentence, and takes text at the limit", async () => {
    const over = `/orchestrate run hello name=${"b".repeat(4000)}`;
    const refused = await say(over);
    expect(refused.conversation.posts[0]?.text).toMatch(LIMIT_SENTENCE);
    expectRefusedRow(refused.row, over.length);

    const atLimit = `/orchestrate ask ${"what is going on ".repeat(500)}`.slice(0, 4000).trim();
    const accepted = await say(atLimit);
    expect(accepted.row?.errorCode).not.toBe("input_too_long");
    expect(accepted.row?.text).toBe(atLimit);
  });
});

describe("the input limit before an LLM router", () => {
  let testDb: TestDatabase;
  let app: App;
  let anthropic: FakeLlmServer;

  beforeAll(async () => {
    anthropic = await startFakeAnthropic();
    testDb = sqliteDatabase();
    app = await startTestApp({
      url: testDb.url,
      resume: false,
      env: { ANTHROPIC_API_KEY: "test-anthropic-key", ANTHROPIC_BASE_URL: anthropic.url, LLM_PROVIDERS: "anthropic" },
    });
  });

  afterAll(async () => {
    await app.close();
    await anthropic.close();
    await testDb.drop();
  });

  it("refuses over-long text before any model is asked (nothing is spent on it)", async () => {
    const conversation = new RecordingConversation();
    const outcome = await app.dispatcher.dispatch(
      {
        platform: "slack",
        workspace: "T1",
        channel: "C0OPS",
        thread: null,
        actor: { id: "U0ADA", name: "ada", platform: "slack" },
        text: `could you summarise this for me: ${"lorem ipsum ".repeat(1000)}`,
        dedupeKey: `test:${Math.random()}`,
        receivedAt: new Date(),
      },
      conversation,
    );
    expect(outcome).toMatchObject({ outcome: "invalid", resolvedBy: null, command: null });
    expect(conversation.posts[0]?.text).toMatch(LIMIT_SENTENCE);
    expect(anthropic.requests).toHaveLength(0);
  });
});

describe("the input limit on Slack (signed requests, real Bolt app)", () => {
  let testDb: TestDatabase;
  let h: SlackHarness;

  beforeAll(async () => {
    testDb = sqliteDatabase();
    h = await startSlackHarness(testDb, "http");
  });

  afterAll(async () => {
    await h.close();
    await testDb.drop();
  });

  const audit = () => new AuditRepository(h.app.database).recent({ limit: 50 });

  it("answers an over-long slash command with the limit and records it invalid", async () => {
    const before = h.slack.performed("chat.postEphemeral").length;
    const text = `run hello name=${HUGE_NAME}`;
    const response = await postSigned(h.eventsUrl, commandBody("/orchestrate", text), FORM);
    expect(response.status).toBe(200);
    const answer = await h.slack.waitFor(
      () => h.slack.performed("chat.postEphemeral").slice(before)[0],
      "the limit sentence, to the asker",
    );
    expect(String(answer.text)).toMatch(LIMIT_SENTENCE);
    await h.settle();
    const row = (await audit()).find((e) => e.platform === "slack" && e.errorCode === "input_too_long");
    expectRefusedRow(row, `/orchestrate ${text}`.length);
  });

  it("answers an over-long mention in its thread and records it invalid", async () => {
    const event = {
      type: "app_mention",
      user: "U0ADA",
      text: `<@${BOT_USER}> run the hello workflow for ${HUGE_NAME}`,
      channel: "C0OPS",
      ts: "1700000200.000200",
      thread_ts: "1700000200.000100",
    };
    expect((await postSigned(h.eventsUrl, eventBody(event, "EvTOOLONG1"), JSON_TYPE)).status).toBe(200);
    const answer = await h.slack.waitFor(
      () =>
        [...h.slack.performed("chat.postMessage"), ...h.slack.performed("chat.postEphemeral")].find(
          (p) => p.thread_ts === "1700000200.000100",
        ),
      "the limit sentence in the thread",
    );
    expect(String(answer.text)).toMatch(LIMIT_SENTENCE);
    await h.settle();
    const row = (await audit()).find((e) => e.dedupeKey === "slack:EvTOOLONG1");
    expectRefusedRow(row, `run the hello workflow for ${HUGE_NAME}`.length);
  });

  it("acks a slash command with 39,000 spaces, and the next command too", async () => {
    const before = h.slack.performed("chat.postEphemeral").length;
    const postsBefore = h.slack.performed("chat.postMessage").length;
    const spaced = `status${" ".repeat(39_000)}now`;
    const [first, second] = await Promise.all([
      postSigned(h.eventsUrl, commandBody("/orchestrate", spaced), FORM),
      postSigned(h.eventsUrl, commandBody("/orchestrate", "status"), FORM),
    ]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const refused = await h.slack.waitFor(
      () => h.slack.performed("chat.postEphemeral").slice(before)[0],
      "the limit sentence for the spaced command",
    );
    expect(String(refused.text)).toMatch(/That message is 39,022 characters/);
    const status = await h.slack.waitFor(
      () => h.slack.performed("chat.postMessage").slice(postsBefore)[0],
      "the status reply to the next command",
    );
    expect(JSON.stringify(status.blocks)).toContain("baton status");
  });
});

describe("the input limit on Discord (real discord.js, fake gateway)", () => {
  let fake: FakeDiscord;
  let testDb: TestDatabase;
  let app: App;
  let adapter: DiscordAdapter;

  beforeAll(async () => {
    fake = await new FakeDiscord({ heartbeatIntervalMs: 500 }).start();
    testDb = sqliteDatabase();
    app = await startTestApp({ url: testDb.url, resume: false });
    adapter = new DiscordAdapter({
      config: {
        token: fake.token,
        applicationId: fake.applicationId,
        guildId: fake.guildId,
        apiUrl: fake.apiUrl,
        messageContent: false,
        publicKey: null,
        interactionsPort: 0,
      },
      dispatcher: app.dispatcher,
      clock: app.clock,
      logger: app.logger,
    });
    await adapter.start();
  });

  afterAll(async () => {
    await adapter?.stop();
    await app?.close();
    await fake?.stop();
    await testDb?.drop();
  });

  it("answers an over-long mention with the limit and records it invalid", async () => {
    const user = fakeUser("400000000000000042", "lin");
    const text = `run the hello workflow for ${"L".repeat(10_000)}`;
    fake.sendMessage(`<@${fake.applicationId}> ${text}`, { user });
    const answer = await fake.until(
      () => [...fake.messages.values()].find((m) => LIMIT_SENTENCE.test(FakeDiscord.text(m))),
      "the limit sentence",
    );
    expect(FakeDiscord.text(answer)).toContain("10,027 characters");
    await app.dispatcher.drain();
    const entries = await new AuditRepository(app.database).recent({ limit: 20 });
    expectRefusedRow(
      entries.find((e) => e.actorId === "400000000000000042"),
      text.length,
    );
  });

  it("answers an over-long DM with the limit, in the DM", async () => {
    const user = fakeUser("400000000000000043", "mo");
    fake.sendMessage(`status ${"please ".repeat(1000)}`, { user, dm: true });
    const answer = await fake.until(
      () =>
        fake
          .requestsTo("POST", new RegExp(`/channels/${fake.dmChannelId}/messages$`))
          .find((r) => LIMIT_SENTENCE.test(JSON.stringify(r.body))),
      "the limit sentence in the DM",
    );
    expect(JSON.stringify(answer.body)).toContain("7,006 characters");
    await app.dispatcher.drain();
    const entries = await new AuditRepository(app.database).recent({ limit: 20 });
    expect(entries.find((e) => e.actorId === "400000000000000043")).toMatchObject({
      outcome: "invalid",
      errorCode: "input_too_long",
    });
  });

  it("answers an over-long slash command with the limit", async () => {
    // Discord allows 6,000 characters in a string option, more than baton reads.
    const { token } = fake.slashCommand("orchestrate", { request: `ask ${"why ".repeat(1200)}` });
    const followUp = await fake.until(
      () => fake.requestsTo("POST", new RegExp(`/webhooks/${fake.applicationId}/${token}$`))[0],
      "an ephemeral follow-up",
    );
    expect(followUp.body?.flags).toBe(64);
    expect(JSON.stringify(followUp.body)).toMatch(/That message is 4,816 characters; baton reads at most 4,000/);
  });
});

describe("the input limit in the CLI", () => {
  let testDb: TestDatabase;

  beforeAll(() => {
    testDb = sqliteDatabase();
  });

  afterAll(async () => {
    await testDb.drop();
  });

  async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
    const db = await openDatabase({ url: testDb.url, logger: silentLogger });
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  }

  const env = () => ({ DATABASE_URL: testDb.url, BATON_WORKFLOWS_DIR: WORKFLOWS_DIR, BATON_USER: "ada" });

  it("baton say refuses a 100 KB message with the limit, exit 1, and an invalid audit row", async () => {
    const text = `run the hello workflow for ${HUGE_NAME}`;
    const run = await runCli(["say", text], env());
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(LIMIT_SENTENCE);
    const [row] = await withDatabase((db) => new AuditRepository(db).recent({ limit: 1 }));
    expectRefusedRow(row, text.length);
  });

  it("baton route answers the same sentence and resolves nothing", async () => {
    const run = await runCli(["route", "--json", `show me ${"x".repeat(5000)}`], env());
    expect(run.code).toBe(0);
    const line = JSON.parse(run.stdout) as { command: unknown; message: string };
    expect(line.command).toBeNull();
    expect(line.message).toMatch(LIMIT_SENTENCE);
  });

  it("reads BATON_MAX_INPUT_CHARS", async () => {
    const run = await runCli(["say", `/orchestrate ask ${"y".repeat(200)}`], {
      ...env(),
      BATON_MAX_INPUT_CHARS: "100",
    });
    expect(run.stdout).toMatch(/That message is 217 characters; baton reads at most 100,/);
  });
});
