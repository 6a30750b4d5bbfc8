import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiscordAdapter } from "../../src/bot/discord/discord-adapter.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { FakeDiscord } from "../support/fake-discord.js";
import { fakeUser } from "../support/fake-discord-payloads.js";
import { type SlackHarness, startSlackHarness } from "../support/fake-slack-app.js";
import { commandBody, postSigned } from "../support/fake-slack-requests.js";
import { grantRole } from "../support/grants.js";

const FORM = "application/x-www-form-urlencoded";
const LIN_ON_DISCORD = fakeUser("400000000000000077", "lin");

/** Issue 14, one identity, through the real Bolt app and discord.js against their fakes. */
describe("linking a Slack account to a Discord account", () => {
  let db: TestDatabase;
  let h: SlackHarness;
  let discord: FakeDiscord;
  let adapter: DiscordAdapter;

  beforeAll(async () => {
    db = sqliteDatabase();
    h = await startSlackHarness(db, "http");
    discord = await new FakeDiscord({ heartbeatIntervalMs: 500 }).start();
    adapter = new DiscordAdapter({
      config: {
        token: discord.token,
        applicationId: discord.applicationId,
        guildId: discord.guildId,
        apiUrl: discord.apiUrl,
        messageContent: false,
        publicKey: null,
        interactionsPort: 0,
      },
      dispatcher: h.app.dispatcher,
      clock: h.app.clock,
      logger: h.app.logger,
    });
    await adapter.start();
  });

  afterAll(async () => {
    await adapter?.stop();
    await h?.close();
    await discord?.stop();
    await db?.drop();
  });

  async function onDiscord(request: string): Promise<string> {
    const { token } = discord.slashCommand("orchestrate", { request }, { user: LIN_ON_DISCORD });
    return discord.until(
      () => discord.answerTo(token, (text) => text.length > 0 && !/thinking/i.test(text)),
      `the answer to ${request}`,
    );
  }

  it("makes them one person: a grant on Slack lets Lin run from Discord", async () => {
    const before = h.slack.performed("chat.postEphemeral").length;
    await postSigned(h.eventsUrl, commandBody("/orchestrate", "link", { user_id: "U0LIN", user_name: "lin" }), FORM);
    const issued = await h.slack.waitFor(
      () =>
        h.slack
          .performed("chat.postEphemeral")
          .slice(before)
          .find((p) => p.user === "U0LIN"),
      "the private link code",
    );
    const code = /link code is ([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(String(issued.text))?.[1];
    expect(code, String(issued.text)).toBeDefined();

    expect(await onDiscord("run hello name=Lin")).toMatch(/You may not run `workflow.run` here/);
    const linked = await onDiscord(`link ${code}`);
    expect(linked).toContain("Linked: slack:U0LIN, discord:400000000000000077 are now one person");

    await grantRole(h.app.database, "slack:U0LIN", "operator");
    const whoami = await onDiscord("whoami");
    expect(whoami).toContain("Your roles here: operator.");
    const ran = await onDiscord("run hello name=Lin");
    expect(ran).not.toMatch(/may not/);
    expect(ran).toMatch(/hello/);
  });
});
