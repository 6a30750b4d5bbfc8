import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { BOT_USER, TEAM } from "../support/fake-slack.js";
import { type SlackHarness, startSlackHarness } from "../support/fake-slack-app.js";
import { clickPayload, eventEnvelope } from "../support/fake-slack-requests.js";

type Args = Record<string, unknown>;
const blocksText = (args: Args) => JSON.stringify(args.blocks ?? []);

function commandPayload(text: string, channel = "C0OPS"): Args {
  return {
    token: "deprecated",
    team_id: TEAM,
    channel_id: channel,
    user_id: "U0ADA",
    user_name: "ada",
    command: "/orchestrate",
    text,
    api_app_id: "A0BATON",
    response_url: "https://hooks.slack.invalid/commands/1",
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
  };
}

describe("Slack in Socket Mode", () => {
  let db: TestDatabase;
  let h: SlackHarness;

  beforeAll(async () => {
    db = sqliteDatabase();
    h = await startSlackHarness(db, "socket");
    await h.slack.waitFor(() => h.slack.connections > 0, "a Socket Mode connection");
  });

  afterAll(async () => {
    await h.close();
    await db.drop();
  });

  it("connects through apps.connections.open on SLACK_API_URL with the app token", () => {
    expect(h.frontEnd.mode).toBe("socket");
    expect(h.slack.performed("apps.connections.open").length).toBeGreaterThanOrEqual(1);
  });

  it("acks a slash command envelope and posts the status", async () => {
    const before = h.slack.performed("chat.postMessage").length;
    const ack = await h.slack.sendEnvelope("slash_commands", commandPayload("status"), { envelopeId: "env-cmd-1" });
    expect(ack.envelope_id).toBe("env-cmd-1");
    const post = await h.slack.waitFor(() => h.slack.performed("chat.postMessage").slice(before)[0], "the status");
    expect(post.channel).toBe("C0OPS");
    expect(blocksText(post)).toContain("baton status");
  });

  it("runs an event redelivered with retry_attempt once, and answers a mention in its thread", async () => {
    const event = {
      type: "app_mention",
      user: "U0ADA",
      text: `<@${BOT_USER}> status`,
      channel: "C0OPS",
      ts: "1700000500.000100",
    };
    const envelope = eventEnvelope(event, "EvSOCKET1");
    await h.slack.sendEnvelope("events_api", envelope);
    await h.slack.sendEnvelope("events_api", envelope, { retryAttempt: 1 });
    await h.slack.waitFor(
      () => h.slack.performed("chat.postMessage").find((p) => p.thread_ts === "1700000500.000100"),
      "the reply in the mention's thread",
    );
    await h.settle();
    expect(h.slack.performed("chat.postMessage").filter((p) => p.thread_ts === "1700000500.000100")).toHaveLength(1);
    const rows = (await new AuditRepository(h.app.database).recent({ limit: 50 })).filter(
      (e) => e.dedupeKey === "slack:EvSOCKET1",
    );
    expect(rows).toHaveLength(1);
  });

  it("resolves a waiting execution from an interactive envelope", async () => {
    await h.slack.sendEnvelope("slash_commands", commandPayload("run gate"));
    const started = await h.slack.waitFor(
      () => h.slack.performed("chat.postMessage").find((p) => String(p.text).includes("Started gate")),
      "the run's message",
    );
    const ts = h.slack.tsOf(started);
    const waiting = await h.slack.waitFor(
      () => h.slack.performed("chat.update").find((u) => u.ts === ts && blocksText(u).includes("baton:approve:")),
      "the buttons",
    );
    const id = /baton:approve:(ex_[A-Za-z0-9_-]+)/.exec(blocksText(waiting))?.[1] ?? "";
    const click = clickPayload(
      `baton:approve:${id}`,
      { id: "UGRACE", name: "grace" },
      { channel: "C0OPS", ts, blocks: waiting.blocks },
    );
    const ack = await h.slack.sendEnvelope("interactive", click);
    expect(ack.envelope_id).toBeTruthy();
    await h.slack.waitFor(
      () =>
        h.slack.performed("chat.update").find((u) => u.ts === ts && blocksText(u).includes("Approved by <@UGRACE>")),
      "the decided message",
    );
    await h.settle();
    expect((await new ExecutionRepository(h.app.database).get(id))?.status).toBe("succeeded");
  });

  it("reconnects after the socket drops and keeps answering", async () => {
    const opened = h.slack.performed("apps.connections.open").length;
    h.slack.dropConnections();
    await h.slack.waitFor(
      () => h.slack.performed("apps.connections.open").length > opened && h.slack.connections > 0,
      "a new connection",
      20_000,
    );
    const before = h.slack.performed("chat.postMessage").length;
    await h.slack.sendEnvelope("slash_commands", commandPayload("status", "C0AFTER"));
    const post = await h.slack.waitFor(
      () =>
        h.slack
          .performed("chat.postMessage")
          .slice(before)
          .find((p) => p.channel === "C0AFTER"),
      "an answer after the reconnect",
    );
    expect(blocksText(post)).toContain("baton status");
  });

  it("reconnects when Slack asks for a refresh (disconnect: refresh_requested)", async () => {
    const opened = h.slack.performed("apps.connections.open").length;
    h.slack.requestRefresh();
    await h.slack.waitFor(
      () => h.slack.performed("apps.connections.open").length > opened && h.slack.connections > 0,
      "a refreshed connection",
      20_000,
    );
    await h.slack.waitFor(() => h.slack.connections === 1, "the old connection closed", 20_000);
    const before = h.slack.performed("chat.postMessage").length;
    await h.slack.sendEnvelope("slash_commands", commandPayload("status", "C0REFRESHED"));
    await h.slack.waitFor(
      () =>
        h.slack
          .performed("chat.postMessage")
          .slice(before)
          .find((p) => p.channel === "C0REFRESHED"),
      "an answer after the refresh",
    );
  });
});
