import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { renderText } from "../../src/bot/console/text-renderer.js";
import { type DiscordFrontEnd, startDiscord } from "../../src/bot/discord/start-discord.js";
import { renderResult } from "../../src/bot/render.js";
import { ADMIN_PERMISSION } from "../../src/commands/context.js";
import { type AuditEntry, AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { startTestApp } from "../support/app.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";
import { FakeClock } from "../support/fake-clock.js";
import { FakeDiscord, type RecordedRequest } from "../support/fake-discord.js";
import type { JsonObject } from "../support/fake-discord-payloads.js";

/** Unhandled rejections anywhere in the process fail the file (discord.js used to leak them). */
const rejections: unknown[] = [];
const probe = (reason: unknown) => rejections.push(reason);

beforeAll(() => {
  process.on("unhandledRejection", probe);
});

afterAll(() => {
  process.off("unhandledRejection", probe);
});

afterEach(() => {
  expect(rejections).toEqual([]);
});

async function statusText(app: App): Promise<string> {
  const context = {
    actor: { id: "ada", name: "Ada", platform: "console" },
    origin: { platform: "console", workspace: null, channel: "test", thread: null },
    permission: ADMIN_PERMISSION,
  };
  const status = await app.orchestrator.handle({ type: "status" }, context);
  return renderText(renderResult(status, { now: app.clock.now(), timeZone: "UTC" }));
}

async function auditRow(app: App, found: (row: AuditEntry) => boolean): Promise<AuditEntry> {
  return eventually(
    async () => (await new AuditRepository(app.database).recent({ limit: 100 })).find(found),
    "the audit row",
  );
}

function config(fake: FakeDiscord, publicKey: string | null, token: string | null = fake.token) {
  return {
    token,
    applicationId: fake.applicationId,
    guildId: fake.guildId,
    apiUrl: fake.apiUrl,
    messageContent: true,
    publicKey,
    interactionsPort: 0,
  };
}

interface MalformedCase {
  name: string;
  mutate: (payload: JsonObject) => void;
  code: string;
  says: string;
}

const MALFORMED: MalformedCase[] = [
  {
    name: "no user or member",
    mutate: (p) => {
      delete p.member;
      delete p.user;
    },
    code: "missing_user",
    says: "because it has no user or member; nothing was run.",
  },
  {
    name: "no data",
    mutate: (p) => {
      delete p.data;
    },
    code: "missing_data",
    says: "because it has no data; nothing was run.",
  },
  {
    name: "no channel",
    mutate: (p) => {
      delete p.channel;
      delete p.channel_id;
    },
    code: "missing_channel",
    says: "because it has no channel; nothing was run.",
  },
  {
    name: "no options",
    mutate: (p) => {
      delete p.data.options;
    },
    code: "missing_option_request",
    says: "because /orchestrate came without its request option; nothing was run.",
  },
  {
    name: "an option that is not text",
    mutate: (p) => {
      p.data.options = [{ name: "request", type: 4, value: 5 }];
    },
    code: "missing_option_request",
    says: "because /orchestrate came without its request option; nothing was run.",
  },
  {
    name: "an unknown command name",
    mutate: (p) => {
      p.data.name = "deploy";
    },
    code: "unknown_command",
    says: "baton does not know the command /deploy; try /orchestrate help.",
  },
];

describe("malformed interactions through the gateway (real discord.js)", () => {
  let fake: FakeDiscord;
  let db: TestDatabase;
  let app: App;
  let discord: DiscordFrontEnd;

  beforeAll(async () => {
    fake = await new FakeDiscord({ heartbeatIntervalMs: 300 }).start();
    db = sqliteDatabase();
    app = await startTestApp({ url: db.url });
    discord = await startDiscord(config(fake, null), app);
  });

  afterAll(async () => {
    await discord?.stop();
    await app?.close();
    await fake?.stop();
    await db?.drop();
  });

  async function expectStillServing(): Promise<void> {
    const { token } = fake.slashCommand("orchestrate", { request: "status" });
    await fake.until(() => FakeDiscord.text(fake.original(token)).includes("baton status"), "the status reply");
  }

  it.each(MALFORMED)("$name: a clear reply, an audit row `invalid` ($code), and the next command works", async (c) => {
    const { id, token, payload } = fake.commandPayload("orchestrate", { request: "status" });
    c.mutate(payload as JsonObject);
    fake.dispatch("INTERACTION_CREATE", payload);
    const callback = await fake.until(
      () => fake.requestsTo("POST", new RegExp(`/interactions/${id}/${token}/callback$`))[0],
      "the answer to the malformed interaction",
    );
    const body = callback.body as { type: number; data: { flags: number; embeds: Array<{ description: string }> } };
    expect(body.type).toBe(4);
    expect(body.data.flags).toBe(64);
    expect(body.data.embeds[0]?.description).toContain(c.says);
    const row = await auditRow(app, (r) => r.dedupeKey === `discord:${id}`);
    expect(row).toMatchObject({ platform: "discord", outcome: "invalid", errorCode: c.code, commandType: null });
    // Answered once, with the sentence: no deferral, so nothing ran.
    expect(fake.requestsTo("POST", new RegExp(`/interactions/${id}/${token}/callback$`))).toHaveLength(1);
    await expectStillServing();
  });

  it("a null INTERACTION_CREATE: nothing to answer, still audited, no crash", async () => {
    const before = (await new AuditRepository(app.database).recent({ limit: 100 })).length;
    fake.dispatch("INTERACTION_CREATE", null);
    await auditRow(app, (r) => r.errorCode === "not_an_object");
    expect((await new AuditRepository(app.database).recent({ limit: 100 })).length).toBe(before + 1);
    await expectStillServing();
  });
});

describe("malformed interactions at the HTTP endpoint", () => {
  let fake: FakeDiscord;
  let db: TestDatabase;
  let app: App;
  let discord: DiscordFrontEnd;
  let privateKey: KeyObject;
  let endpoint: string;

  beforeAll(async () => {
    const keys = generateKeyPairSync("ed25519");
    privateKey = keys.privateKey;
    const publicKeyHex = keys.publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("hex");
    fake = await new FakeDiscord().start();
    db = sqliteDatabase();
    app = await startTestApp({ url: db.url });
    discord = await startDiscord(config(fake, publicKeyHex, null), app);
    endpoint = `http://127.0.0.1:${discord.interactionsPort}/interactions`;
  });

  afterAll(async () => {
    await discord?.stop();
    await app?.close();
    await fake?.stop();
    await db?.drop();
  });

  async function postSigned(body: string) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = sign(null, Buffer.from(timestamp + body), privateKey).toString("hex");
    const response = await fetch(endpoint, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        "x-signature-ed25519": signature,
        "x-signature-timestamp": timestamp,
      },
    });
    return { status: response.status, json: (await response.json()) as JsonObject };
  }

  async function expectStillServing(): Promise<void> {
    const { token, payload } = fake.httpInteraction("orchestrate", { request: "status" });
    expect((await postSigned(JSON.stringify(payload))).status).toBe(200);
    await fake.until(() => FakeDiscord.text(fake.original(token)).includes("baton status"), "the status edit");
  }

  it.each([
    { body: "null", code: "not_an_object" },
    { body: "{not json", code: "unreadable_body" },
    { body: '"a string"', code: "not_an_object" },
    { body: JSON.stringify({ type: 2, data: { name: "orchestrate" } }), code: "missing_id" },
  ])("a signed $body: 400, an audit row `invalid` ($code), and the next interaction works", async ({ body, code }) => {
    const before = (await new AuditRepository(app.database).recent({ limit: 100 })).filter((r) => r.errorCode === code);
    const response = await postSigned(body);
    expect(response.status).toBe(400);
    expect(String(response.json.error)).toMatch(
      /^baton could not read this Discord interaction because .+; nothing was run\.$/,
    );
    const rows = (await new AuditRepository(app.database).recent({ limit: 100 })).filter((r) => r.errorCode === code);
    expect(rows.length).toBe(before.length + 1);
    expect(rows[0]).toMatchObject({ platform: "discord", outcome: "invalid" });
    await expectStillServing();
  });

  it.each(MALFORMED)("$name: answered with one sentence, audited `invalid` ($code)", async (c) => {
    const { id, payload } = fake.httpInteraction("orchestrate", { request: "status" });
    c.mutate(payload as JsonObject);
    const response = await postSigned(JSON.stringify(payload));
    expect(response.status).toBe(200);
    expect(response.json.type).toBe(4);
    expect(JSON.stringify(response.json.data)).toContain(c.says);
    const row = await auditRow(app, (r) => r.dedupeKey === `discord:${id}`);
    expect(row).toMatchObject({ outcome: "invalid", errorCode: c.code });
    await expectStillServing();
  });
});

describe("Discord's REST API down when baton starts", () => {
  let fake: FakeDiscord;
  let db: TestDatabase;
  let app: App;
  let discord: DiscordFrontEnd;
  const clock = new FakeClock();

  beforeAll(async () => {
    fake = await new FakeDiscord({ heartbeatIntervalMs: 300 }).start();
    fake.rest.down = true;
    db = sqliteDatabase();
    app = await startTestApp({ url: db.url });
    discord = await startDiscord(config(fake, null), { ...app, clock });
  });

  afterAll(async () => {
    await discord?.stop();
    await app?.close();
    await fake?.stop();
    await db?.drop();
  });

  const gatewayFetches = (): RecordedRequest[] => fake.requestsTo("GET", /^\/gateway\/bot$/);

  it("keeps running, shows the outage in status and retries with a growing backoff", async () => {
    expect(fake.connected).toBe(false);
    expect(await statusText(app)).toContain(
      "discord: Discord is unreachable (HTTP 503 from Discord's API; 1 try, next in 1 s)",
    );
    await clock.untilSleeps(1);
    const fetchesBefore = gatewayFetches().length;
    await clock.passSleeps(1);
    await clock.untilSleeps(2);
    expect(clock.sleeps).toEqual([1000, 2000]);
    expect(gatewayFetches().length).toBeGreaterThan(fetchesBefore);
    expect(await statusText(app)).toContain("2 tries, next in 2 s");
  });

  it("connects by itself once Discord answers, and serves", async () => {
    fake.rest.down = false;
    await clock.passSleeps(1);
    await fake.until(() => fake.connected && fake.identifies > 0, "the gateway connection");
    const { token } = fake.slashCommand("orchestrate", { request: "status" });
    await fake.until(() => FakeDiscord.text(fake.original(token)).includes("baton status"), "the status reply");
    expect(await statusText(app)).not.toContain("unreachable");
  });
});
