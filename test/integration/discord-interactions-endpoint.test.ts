import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { type DiscordFrontEnd, startDiscord } from "../../src/bot/discord/start-discord.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { startTestApp } from "../support/app.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { FakeDiscord } from "../support/fake-discord.js";

let fake: FakeDiscord;
let testDb: TestDatabase;
let app: App;
let discord: DiscordFrontEnd;
let privateKey: KeyObject;
let endpoint: string;

beforeAll(async () => {
  const keys = generateKeyPairSync("ed25519");
  privateKey = keys.privateKey;
  // The raw 32-byte key, hex, as the Developer Portal shows it: the SPKI DER minus its 12-byte prefix.
  const publicKeyHex = keys.publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("hex");
  fake = await new FakeDiscord().start();
  testDb = sqliteDatabase();
  app = await startTestApp({ url: testDb.url });
  // No token: the HTTP endpoint alone, as a deployment without a gateway connection runs it.
  discord = await startDiscord(
    {
      token: null,
      applicationId: fake.applicationId,
      guildId: null,
      apiUrl: fake.apiUrl,
      messageContent: false,
      publicKey: publicKeyHex,
      interactionsPort: 0,
    },
    app,
  );
  endpoint = `http://127.0.0.1:${discord.interactionsPort}/interactions`;
});

afterAll(async () => {
  await discord?.stop();
  await app?.close();
  await fake?.stop();
  await testDb?.drop();
});

function post(body: string, headers: Record<string, string>) {
  return fetch(endpoint, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
}

function signed(body: string, key = privateKey) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = sign(null, Buffer.from(timestamp + body), key).toString("hex");
  return { "x-signature-ed25519": signature, "x-signature-timestamp": timestamp };
}

describe("the Discord HTTP interactions endpoint", () => {
  it("answers a signed PING with PONG", async () => {
    const body = JSON.stringify({ id: "1", token: "t", application_id: fake.applicationId, type: 1, version: 1 });
    const response = await post(body, signed(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ type: 1 });
  });

  it("rejects a bad signature, a missing one and a tampered body with 401", async () => {
    const body = JSON.stringify({ id: "1", token: "t", application_id: fake.applicationId, type: 1, version: 1 });
    const stranger = generateKeyPairSync("ed25519").privateKey;
    expect((await post(body, signed(body, stranger))).status).toBe(401);
    expect((await post(body, {})).status).toBe(401);
    const headers = signed(body);
    expect((await post(body.replace('"type":1', '"type":2'), headers)).status).toBe(401);
  });

  it("answers an autocomplete in the response with the choices the person may run", async () => {
    const { payload } = fake.httpInteraction("orchestrate", { request: "wh" });
    const typing = {
      ...payload,
      type: 4,
      data: { ...payload.data, options: [{ name: "request", type: 3, value: "wh", focused: true }] },
    };
    const body = JSON.stringify(typing);
    const response = await post(body, signed(body));
    expect(response.status).toBe(200);
    const ack = (await response.json()) as { type: number; data: { choices: Array<{ value: string }> } };
    expect(ack.type).toBe(8);
    expect(ack.data.choices.map((choice) => choice.value)).toContain("whoami");
  });

  it("defers a slash command in the response, then edits the reply through the webhook", async () => {
    const { id, token, payload } = fake.httpInteraction("orchestrate", { request: "status" });
    const body = JSON.stringify(payload);
    const response = await post(body, signed(body));
    expect(response.status).toBe(200);
    const ack = (await response.json()) as { type: number };
    expect(ack).toEqual({ type: 5 });
    const text = await fake.until(() => {
      const shown = FakeDiscord.text(fake.original(token));
      return shown.includes("baton status") && shown;
    }, "the edited reply");
    expect(text).toContain("baton status");
    // The audit row closes right after the reply is posted: wait for it, not for a fixed time.
    const audit = new AuditRepository(app.database);
    const closed = async () => {
      const entry = (await audit.recent({ limit: 5 })).find((e) => e.dedupeKey === `discord:${id}`);
      return entry?.outcome !== "pending" && entry;
    };
    expect(await fake.until(closed, "the closed audit row")).toMatchObject({
      platform: "discord",
      workspace: fake.guildId,
      actorName: "ada",
      outcome: "ok",
    });
  });
});
