import { describe, expect, it } from "vitest";
import {
  commandRequest,
  isFromPerson,
  messageRequest,
  threadOf,
  withoutMention,
} from "../../src/bot/slack/slack-requests.js";

const at = new Date("2026-11-21T12:00:00Z");

describe("Slack payloads to ChatRequests", () => {
  it("turns a slash command into /orchestrate text deduped on its trigger id", () => {
    const request = commandRequest(
      {
        command: "/orchestrate",
        text: "run hello name=Ada",
        team_id: "T1",
        channel_id: "C1",
        user_id: "U1",
        trigger_id: "tr-1",
      },
      "Ada",
      at,
    );
    expect(request).toEqual({
      platform: "slack",
      workspace: "T1",
      channel: "C1",
      thread: null,
      actor: { id: "U1", name: "Ada", platform: "slack" },
      text: "/orchestrate run hello name=Ada",
      dedupeKey: "slack:tr-1",
      receivedAt: at,
    });
  });

  it("strips the bot's mention and keeps the thread as the conversation", () => {
    expect(withoutMention("<@UBOT> run hello <@UOTHER>", "UBOT")).toBe("run hello <@UOTHER>");
    const mention = { type: "app_mention", text: "<@UBOT> status", user: "U1", channel: "C1", ts: "2.0" };
    expect(threadOf(mention)).toBe("2.0");
    expect(threadOf({ ...mention, thread_ts: "1.0" })).toBe("1.0");
    expect(threadOf({ ...mention, type: "message", channel_type: "im" })).toBeNull();
    const request = messageRequest(mention, { eventId: "Ev1", teamId: "T1" }, { id: "U1", name: "Ada" }, "UBOT", at);
    expect(request).toMatchObject({ text: "status", thread: "2.0", dedupeKey: "slack:Ev1", workspace: "T1" });
  });

  it("answers people only: not itself, not other bots, not edits", () => {
    const message = { type: "message", user: "U1", channel: "D1", ts: "1.0", text: "hi" };
    expect(isFromPerson(message, "UBOT")).toBe(true);
    expect(isFromPerson({ ...message, user: "UBOT" }, "UBOT")).toBe(false);
    expect(isFromPerson({ ...message, bot_id: "B2" }, "UBOT")).toBe(false);
    expect(isFromPerson({ ...message, subtype: "message_changed" }, "UBOT")).toBe(false);
  });
});
