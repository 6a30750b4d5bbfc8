import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PendingConfirmations } from "../../src/bot/discord/confirmations.js";
import { commandText } from "../../src/bot/discord/discord-handler.js";
import { nonceFor } from "../../src/bot/discord/discord-publisher.js";
import { GatewayHealth } from "../../src/bot/discord/gateway-health.js";
import { parseInteraction } from "../../src/bot/discord/interaction-payload.js";
import { ed25519PublicKey, verifySignature } from "../../src/bot/discord/interactions-endpoint.js";
import { type ConfigError, loadConfig } from "../../src/config.js";
import { FakeClock } from "../support/fake-clock.js";

describe("Discord configuration", () => {
  it("is off without a token or public key, and on with a token and application id", () => {
    expect(loadConfig({}).discord).toBeNull();
    const config = loadConfig({
      DISCORD_TOKEN: "t",
      DISCORD_APPLICATION_ID: "100000000000000001",
      DISCORD_MESSAGE_CONTENT: "true",
    });
    expect(config.discord).toMatchObject({
      token: "t",
      applicationId: "100000000000000001",
      guildId: null,
      apiUrl: null,
      messageContent: true,
      publicKey: null,
      interactionsPort: 3000,
    });
  });

  it("names each bad variable", () => {
    expect(() => loadConfig({ DISCORD_TOKEN: "t" })).toThrow(/DISCORD_APPLICATION_ID: required/);
    try {
      loadConfig({ DISCORD_APPLICATION_ID: "abc", DISCORD_PUBLIC_KEY: "xyz", DISCORD_API_URL: "nope" });
      expect.unreachable();
    } catch (error) {
      const problems = (error as ConfigError).problems.join("\n");
      expect(problems).toMatch(/DISCORD_APPLICATION_ID: expected a Discord application id/);
      expect(problems).toMatch(/DISCORD_PUBLIC_KEY: expected the application's public key/);
      expect(problems).toMatch(/DISCORD_API_URL: expected a URL/);
    }
  });
});

describe("Discord pieces", () => {
  it("turns slash commands into the text the grammar reads", () => {
    expect(commandText("orchestrate", { request: "run healthcheck urls=x" })).toBe(
      "/orchestrate run healthcheck urls=x",
    );
    expect(commandText("improve", { feedback: "be brief" })).toBe("/improve be brief");
    expect(commandText("other", {})).toBeNull();
  });

  it("parses interaction JSON from the HTTP endpoint, threads included", () => {
    const parsed = parseInteraction({
      id: "1",
      token: "tok",
      application_id: "9",
      type: 2,
      guild_id: "5",
      channel_id: "7",
      channel: { id: "7", type: 11, parent_id: "6" },
      member: { user: { id: "42", username: "ada" } },
      data: { name: "orchestrate", options: [{ name: "request", type: 3, value: "status" }] },
    });
    expect(parsed).toEqual({
      kind: "interaction",
      interaction: {
        id: "1",
        token: "tok",
        applicationId: "9",
        guildId: "5",
        channelId: "6",
        threadId: "7",
        user: { id: "42", name: "ada" },
        kind: { type: "command", name: "orchestrate", options: { request: "status" } },
      },
    });
    expect(parseInteraction({ type: 1, id: "1", token: "t", application_id: "9" })).toEqual({ kind: "ping" });
    expect(parseInteraction({ nonsense: true })).toMatchObject({ kind: "invalid", problem: { code: "missing_id" } });
    expect(parseInteraction({ id: "1", token: "t", application_id: "9", type: 5 }).kind).toBe("unsupported");
    // An autocomplete (type 4) reads what is typed in the focused option.
    const typing = parseInteraction({
      id: "2",
      token: "tok",
      application_id: "9",
      type: 4,
      channel_id: "7",
      member: { user: { id: "42", username: "ada" }, roles: ["8"] },
      data: { name: "orchestrate", options: [{ name: "request", type: 3, value: "sta", focused: true }] },
    });
    expect(typing).toMatchObject({
      kind: "interaction",
      interaction: {
        user: { id: "42", roles: ["8"] },
        kind: { type: "autocomplete", name: "orchestrate", focused: "sta" },
      },
    });
  });

  it("verifies Ed25519 signatures over timestamp + body", () => {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const hex = publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("hex");
    const key = ed25519PublicKey(hex);
    const body = Buffer.from('{"type":1}');
    const signature = sign(null, Buffer.concat([Buffer.from("1700000000"), body]), privateKey).toString("hex");
    expect(verifySignature(key, signature, "1700000000", body)).toBe(true);
    expect(verifySignature(key, signature, "1700000001", body)).toBe(false);
    expect(verifySignature(key, "zz", "1700000000", body)).toBe(false);
  });

  it("derives a stable nonce of at most 25 characters from an idempotency key", () => {
    const nonce = nonceFor("digest:ops:2026-11-21T09:00");
    expect(nonce).toHaveLength(25);
    expect(nonceFor("digest:ops:2026-11-21T09:00")).toBe(nonce);
    expect(nonceFor("digest:ops:2026-11-22T09:00")).not.toBe(nonce);
  });

  it("describes gateway health from the last event's age", () => {
    const clock = new FakeClock("2026-11-21T09:00:00Z");
    const health = new GatewayHealth(clock);
    expect(health.describe()).toBe("discord: connecting to the gateway");
    health.ready();
    expect(health.describe()).toBe("discord: connected, no events yet");
    health.event();
    clock.set("2026-11-21T09:00:12Z");
    expect(health.describe()).toBe("discord: events arriving (last 12 s ago)");
    health.reconnecting();
    clock.set("2026-11-21T09:03:12Z");
    expect(health.describe()).toBe("discord: reconnecting to the gateway (events: last 3 min 12 s ago)");
  });

  it("lets only the asker answer a confirmation, once", async () => {
    const confirmations = new PendingConfirmations(new FakeClock());
    const { token, answer } = confirmations.open("42");
    expect(confirmations.answer(token, "7", true)).toBe("not-yours");
    expect(confirmations.answer(token, "42", true)).toBe("answered");
    expect(confirmations.answer(token, "42", false)).toBe("unknown");
    expect(await answer).toBe(true);
  });
});
