import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { DiscordAdapter } from "../../src/bot/discord/discord-adapter.js";
import { DiscordDirectory } from "../../src/bot/discord/discord-directory.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { GrantRepository } from "../../src/db/repositories/grant-repository.js";
import { createLogger } from "../../src/logger.js";
import { startTestApp } from "../support/app.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { FakeDiscord } from "../support/fake-discord.js";
import { fakeUser } from "../support/fake-discord-payloads.js";
import { grantRole } from "../support/grants.js";

let fake: FakeDiscord;
let testDb: TestDatabase;
let app: App;
let adapter: DiscordAdapter;

function discordAdapter(): DiscordAdapter {
  return new DiscordAdapter({
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
    logger: process.env.DEBUG_DISCORD ? createLogger("debug") : app.logger,
  });
}

beforeAll(async () => {
  fake = await new FakeDiscord({ heartbeatIntervalMs: 500 }).start();
  testDb = sqliteDatabase();
  app = await startTestApp({ url: testDb.url });
  adapter = discordAdapter();
  await adapter.start();
});

afterAll(async () => {
  await adapter?.stop();
  await app?.close();
  await fake?.stop();
  await testDb?.drop();
});

describe("Discord on the gateway", () => {
  it("identifies with the fewest intents and registers both slash commands in the guild", async () => {
    expect(fake.identifies).toBe(1);
    // Guilds (1) | GuildMessages (512) | DirectMessages (4096); no MessageContent.
    expect(fake.lastIntents).toBe(1 | 512 | 4096);
    expect(fake.requestsTo("GET", /^\/gateway\/bot$/)).toHaveLength(1);
    const names = (fake.commands.get(fake.guildId) ?? []).map((c) => c.name).sort();
    expect(names).toEqual(["improve", "orchestrate"]);
    const orchestrate = fake.commands.get(fake.guildId)?.find((c) => c.name === "orchestrate");
    expect(orchestrate?.options).toEqual([expect.objectContaining({ name: "request", type: 3, required: true })]);
  });

  it("registers nothing on a restart when the definitions have not changed", async () => {
    const posts = fake.requestsTo("POST", /\/commands$/).length;
    await adapter.stop();
    adapter = discordAdapter();
    await adapter.start();
    expect(fake.requestsTo("GET", /\/commands$/).length).toBe(2);
    expect(fake.requestsTo("POST", /\/commands$/).length).toBe(posts);
  });

  it("defers a slash command at once, then edits the reply with the status", async () => {
    const { token } = fake.slashCommand("orchestrate", { request: "status" });
    const edited = await fake.until(() => {
      const text = FakeDiscord.text(fake.original(token));
      return text.includes("baton status") && text;
    }, "the status edit");
    expect(edited).toContain("baton status");
    const callbacks = fake.requestsTo("POST", new RegExp(`/interactions/\\d+/${token}/callback$`));
    expect(callbacks.map((c) => c.body?.type)).toEqual([5]);
    expect(
      fake.requestsTo("PATCH", new RegExp(`/webhooks/${fake.applicationId}/${token}/messages/@original$`)),
    ).not.toHaveLength(0);
    const fields = fake.original(token)?.embeds[0]?.fields as Array<{ name: string }>;
    expect(fields.map((f) => f.name)).toContain("Running");
  });

  it("reads a member's Discord roles as groups, so a role grant decides", async () => {
    await grantRole(app.database, "group:discord:500000000000000001", "operator");
    const lin = fakeUser("400000000000000077", "lin");
    const asked = async (roles: string[]) => {
      const { token } = fake.slashCommand("orchestrate", { request: "whoami" }, { user: lin, roles });
      return fake.until(() => {
        const text = FakeDiscord.text(fake.original(token));
        return text.includes("Your roles here") && text;
      }, "the whoami edit");
    };
    const member = await asked(["500000000000000001"]);
    expect(member).toContain("Your roles here: operator.");
    const without = await asked([]);
    expect(without).toContain("Your roles here: viewer.");
  });

  it("checks the users, roles and channels a grant names against Discord", async () => {
    const unregister = app.registerDirectory("discord", new DiscordDirectory(adapter.client));
    const grants = new GrantRepository(app.database);
    const before = (await grants.all()).length;
    const answer = async (request: string) => {
      const { token } = fake.slashCommand("orchestrate", { request });
      return fake.until(() => fake.answerTo(token, (text) => text.includes("🔑")), `the answer to ${request}`);
    };
    try {
      expect(await answer("grant <@400000000000000099> viewer")).toContain("discord has no user `400000000000000099`");
      expect(await answer("grant <@&599999999999999999> viewer")).toContain(
        "discord has no group `599999999999999999`",
      );
      expect(await answer("grant <@400000000000000077> viewer <#300000000000000099>")).toContain(
        "discord has no channel `300000000000000099` baton can see",
      );
      expect((await grants.all()).length).toBe(before);
      expect(await answer(`grant <@&500000000000000001> approver <#${fake.channelId}>`)).toContain(
        `is now approver in channel ${fake.channelId}`,
      );
      expect(await answer("grant <@400000000000000077> viewer")).toContain("discord:400000000000000077 is now viewer");
    } finally {
      unregister();
    }
  });

  it("autocompletes /orchestrate with only what the person may run there", async () => {
    const choicesFor = async (typed: string, user = fakeUser("400000000000000077", "lin"), roles: string[] = []) => {
      const { token } = fake.autocomplete(typed, { user, roles });
      const callback = await fake.until(
        () => fake.requestsTo("POST", new RegExp(`/interactions/\\d+/${token}/callback$`))[0],
        "the autocomplete answer",
      );
      expect(callback.body?.type).toBe(8);
      const data = callback.body?.data as { choices: Array<{ name: string; value: string }> };
      return data.choices.map((choice) => choice.value);
    };
    const viewer = await choicesFor("");
    expect(viewer).toContain("status");
    expect(viewer).toContain("whoami");
    expect(viewer.some((value) => value.startsWith("run "))).toBe(false);
    expect(viewer).not.toContain("grant");
    // An operator is offered runs.
    await grantRole(app.database, "discord:400000000000000088", "operator");
    const operator = await choicesFor("run", fakeUser("400000000000000088", "kim"));
    expect(operator).toContain("run hello name=");
    expect(operator).not.toContain("grant");
    const admin = await choicesFor("gra", fakeUser("400000000000000005", "ada"));
    expect(admin[0]).toBe("grant");
  });

  it("answers help ephemerally", async () => {
    const { token } = fake.slashCommand("orchestrate", { request: "help" });
    await fake.until(() => FakeDiscord.text(fake.original(token)).includes("baton help"), "the help edit");
    const [callback] = fake.requestsTo("POST", new RegExp(`/interactions/\\d+/${token}/callback$`));
    expect(callback?.body).toEqual({ type: 5, data: { flags: 64 } });
  });

  it("answers an error ephemerally in place of the public deferral", async () => {
    const { token } = fake.slashCommand("orchestrate", { request: "show ex_doesnotexist" });
    const followUp = await fake.until(
      () => fake.requestsTo("POST", new RegExp(`/webhooks/${fake.applicationId}/${token}$`))[0],
      "an ephemeral follow-up",
    );
    expect(followUp.body?.flags).toBe(64);
    expect(
      fake.requestsTo("DELETE", new RegExp(`/webhooks/${fake.applicationId}/${token}/messages/@original$`)),
    ).toHaveLength(1);
  });

  it("answers a mention in a thread, in the thread, and records who asked where", async () => {
    const user = fakeUser("400000000000000007", "grace");
    const id = fake.sendMessage(`<@${fake.applicationId}> status`, { user, channelId: fake.threadId });
    const posted = await fake.until(
      () =>
        [...fake.messages.values()].find(
          (m) =>
            m.channel_id === fake.threadId &&
            m.message_reference === undefined &&
            FakeDiscord.text(m).includes("baton status"),
        ),
      "the answer in the thread",
    );
    expect(posted.channel_id).toBe(fake.threadId);
    const [request] = fake.requestsTo("POST", new RegExp(`/channels/${fake.threadId}/messages$`));
    expect(request?.body?.message_reference).toEqual({ message_id: id, fail_if_not_exists: false });
    const entries = await new AuditRepository(app.database).recent({ limit: 20 });
    const entry = entries.find((e) => e.actorId === "400000000000000007");
    expect(entry).toMatchObject({
      platform: "discord",
      workspace: fake.guildId,
      channel: fake.channelId,
      thread: fake.threadId,
      actorName: "grace",
      commandType: "status",
    });
  });

  it("says in one sentence what to check when the token is refused", async () => {
    const refused = new DiscordAdapter({
      config: {
        token: "wrong-token",
        applicationId: fake.applicationId,
        guildId: null,
        apiUrl: fake.apiUrl,
        messageContent: false,
        publicKey: null,
        interactionsPort: 0,
      },
      dispatcher: app.dispatcher,
      clock: app.clock,
      logger: app.logger,
    });
    await expect(refused.start()).rejects.toThrow(/could not connect to Discord: .*check DISCORD_TOKEN/);
  });

  it("answers a DM and ignores other bots and messages not meant for baton", async () => {
    // In order: the two that must be ignored arrive before the DM that is answered.
    fake.sendMessage(`<@${fake.applicationId}> status`, { user: fakeUser("400000000000000099", "otherbot", true) });
    fake.sendMessage("just chatting about status");
    fake.sendMessage("status", { dm: true });
    await fake.until(
      () => fake.requestsTo("POST", new RegExp(`/channels/${fake.dmChannelId}/messages$`))[0],
      "the DM answer",
    );
    const inChannel = fake.requestsTo("POST", new RegExp(`/channels/${fake.channelId}/messages$`));
    expect(inChannel).toHaveLength(0);
  });
});
