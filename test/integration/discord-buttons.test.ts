import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { decodeAction } from "../../src/bot/actions.js";
import { DiscordAdapter } from "../../src/bot/discord/discord-adapter.js";
import { systemClock } from "../../src/clock.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { startTestApp } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { FakeDiscord, type StoredMessage } from "../support/fake-discord.js";
import { fakeUser } from "../support/fake-discord-payloads.js";

const ada = fakeUser("400000000000000005", "ada");
const grace = fakeUser("400000000000000007", "grace");
const lin = fakeUser("400000000000000008", "lin");

function workflows(): string {
  const dir = tempDir("discord");
  writeFileSync(
    join(dir, "gate.yaml"),
    [
      "name: gate",
      "steps:",
      "  - id: prepare",
      "    tool: template",
      '    with: { text: "ready" }',
      "  - id: confirm",
      "    approval:",
      '      prompt: "Ship it?"',
      `      approvers: [discord:${grace.id}]`,
      "  - id: ship",
      "    tool: template",
      '    with: { text: "shipped by {{ steps.confirm.output.by }}" }',
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "nap.yaml"),
    [
      "name: nap",
      "steps:",
      "  - id: nap",
      "    tool: wait",
      "    with: { ms: 1500 }",
      "  - id: done",
      "    tool: template",
      '    with: { text: "rested" }',
      "",
    ].join("\n"),
  );
  return dir;
}

/** The adapter's clock, shifted by tests that need an interaction token to have expired. */
let shiftMs = 0;
const shiftedClock = { ...systemClock, now: () => new Date(Date.now() + shiftMs) };

let fake: FakeDiscord;
let testDb: TestDatabase;
let app: App;
let adapter: DiscordAdapter;

beforeAll(async () => {
  fake = await new FakeDiscord().start();
  testDb = sqliteDatabase();
  app = await startTestApp({ url: testDb.url, workflowsDir: workflows() });
  adapter = new DiscordAdapter({
    config: {
      token: fake.token,
      applicationId: fake.applicationId,
      guildId: null,
      apiUrl: fake.apiUrl,
      messageContent: false,
      publicKey: null,
      interactionsPort: 0,
    },
    dispatcher: app.dispatcher,
    clock: shiftedClock,
    logger: app.logger,
    notifyAfterMs: 0,
  });
  await adapter.start();
});

afterAll(async () => {
  await adapter?.stop();
  await app?.close();
  await fake?.stop();
  await testDb?.drop();
});

function buttons(message: StoredMessage | undefined): Array<{ label: string; custom_id: string }> {
  return (message?.components ?? []).flatMap((row) => row.components);
}

/** Starts the gate workflow from a slash command and returns the message that shows its buttons. */
async function waitingRun(): Promise<{ message: StoredMessage; execution: string }> {
  const { token } = fake.slashCommand("orchestrate", { request: "run gate" }, { user: ada });
  const message = await fake.until(() => {
    const original = fake.original(token);
    return buttons(original).length === 2 && original;
  }, "the Approve and Reject buttons");
  const action = decodeAction(buttons(message)[0]?.custom_id ?? "");
  if (action?.kind !== "approve") throw new Error("the first button is not Approve");
  return { message, execution: action.execution };
}

describe("Discord buttons", () => {
  it("registers global commands when no guild is configured", () => {
    expect((fake.commands.get("global") ?? []).map((c) => c.name).sort()).toEqual(["improve", "orchestrate"]);
  });

  it("refuses a click from someone who may not approve, ephemerally, and approves on the approver's click", async () => {
    const { message, execution } = await waitingRun();
    const approve = buttons(message)[0]?.custom_id ?? "";
    expect(buttons(message).map((b) => b.label)).toEqual(["Approve", "Reject"]);

    const refused = fake.clickButton(message, approve, lin);
    const refusal = await fake.until(
      () => fake.requestsTo("POST", new RegExp(`/webhooks/${fake.applicationId}/${refused.token}$`))[0],
      "the refusal",
    );
    expect(refusal.body?.flags).toBe(64);
    // Lin has no grant, so she is a viewer: the policy refuses before the approver list is read.
    expect(JSON.stringify(refusal.body?.embeds)).toContain("it needs the approver role");
    expect((await new ExecutionRepository(app.database).get(execution))?.status).toBe("waiting");

    const click = fake.clickButton(message, approve, grace);
    const done = await fake.until(() => {
      const text = FakeDiscord.text(fake.messages.get(message.id));
      return text.includes("shipped by grace") && fake.messages.get(message.id);
    }, "the clicked message showing the finished run");
    const [ack] = fake.requestsTo("POST", new RegExp(`/interactions/\\d+/${click.token}/callback$`));
    expect(ack?.body).toEqual({ type: 6 });
    expect(FakeDiscord.text(done)).toContain(`Approved by <@${grace.id}> (grace)`);
    expect(buttons(done)).toEqual([]);
    expect((await new ExecutionRepository(app.database).get(execution))?.status).toBe("succeeded");
    const ping = await fake.until(
      () =>
        fake
          .requestsTo("POST", new RegExp(`/webhooks/${fake.applicationId}/${click.token}$`))
          .find((r) => r.body?.content === `<@${grace.id}>`),
      "the follow-up pinging the approver",
    );
    expect(ping.body?.allowed_mentions).toEqual({ parse: [], users: [grace.id] });
  });

  it("carries on in the channel with the bot token once the interaction token has expired", async () => {
    const { token } = fake.slashCommand("orchestrate", { request: "run nap" }, { user: ada });
    const started = await fake.until(() => {
      const original = fake.original(token);
      return FakeDiscord.text(original).includes("nap") && original;
    }, "the started message");
    shiftMs = 20 * 60_000;
    try {
      const ping = await fake.until(
        () =>
          fake
            .requestsTo("POST", new RegExp(`^/channels/${fake.channelId}/messages$`))
            .find((r) => r.body?.content === `<@${ada.id}>`),
        "the end-of-work ping in the channel",
      );
      expect(JSON.stringify(ping.body?.embeds)).toContain("nap");
      const edits = fake.requestsTo("PATCH", new RegExp(`^/channels/${fake.channelId}/messages/${started.id}$`));
      expect(edits.length).toBeGreaterThan(0);
      expect(edits.at(-1)?.status).toBe(200);
    } finally {
      shiftMs = 0;
    }
  });

  it("rejects from the Reject button", async () => {
    const { message, execution } = await waitingRun();
    fake.clickButton(message, buttons(message)[1]?.custom_id ?? "", grace);
    await fake.until(
      async () => (await new ExecutionRepository(app.database).get(execution))?.status === "failed",
      "the rejected run",
    );
    await fake.until(
      () => FakeDiscord.text(fake.messages.get(message.id)).includes(`Rejected by <@${grace.id}>`),
      "the rejection shown on the message",
    );
  });

  it("asks before cancelling, takes the answer only from the person who asked, then cancels", async () => {
    const { execution } = await waitingRun();
    const { token } = fake.slashCommand("orchestrate", { request: `cancel ${execution}` }, { user: ada });
    const prompt = await fake.until(() => {
      const original = fake.original(token);
      return buttons(original).length === 2 && original;
    }, "the confirmation prompt");
    expect(buttons(prompt).map((b) => b.label)).toEqual(["Confirm", "Cancel"]);
    const confirm = buttons(prompt)[0]?.custom_id ?? "";

    const stranger = fake.clickButton(prompt, confirm, lin);
    await fake.until(
      () => fake.requestsTo("POST", new RegExp(`/interactions/\\d+/${stranger.token}/callback$`))[0],
      "the answer to the stranger",
    );
    const [strangerAck] = fake.requestsTo("POST", new RegExp(`/interactions/\\d+/${stranger.token}/callback$`));
    expect(strangerAck?.body).toMatchObject({ type: 4, data: { flags: 64 } });

    const answer = fake.clickButton(prompt, confirm, ada);
    const cancelled = await fake.until(
      () => fake.requestsTo("POST", new RegExp(`/webhooks/${fake.applicationId}/${token}$`))[0],
      "the result as a follow-up",
    );
    expect(JSON.stringify(cancelled.body?.embeds)).toContain("Cancelled");
    const [answerAck] = fake.requestsTo("POST", new RegExp(`/interactions/\\d+/${answer.token}/callback$`));
    expect(answerAck?.body).toMatchObject({ type: 7, data: { components: [] } });
    expect(FakeDiscord.text(fake.messages.get(prompt.id))).toContain(`Confirmed by <@${ada.id}>`);
    expect((await new ExecutionRepository(app.database).get(execution))?.status).toBe("cancelled");
  });
});
