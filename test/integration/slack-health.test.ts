import { afterEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { renderText } from "../../src/bot/console/text-renderer.js";
import { renderResult } from "../../src/bot/render.js";
import { ADMIN_PERMISSION } from "../../src/commands/context.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { TEAM } from "../support/fake-slack.js";
import { type SlackHarness, startSlackHarness } from "../support/fake-slack-app.js";
import { commandBody, postSigned } from "../support/fake-slack-requests.js";

async function statusText(app: App): Promise<string> {
  const context = {
    actor: { id: "ada", name: "Ada", platform: "console" },
    origin: { platform: "console", workspace: null, channel: "test", thread: null },
    permission: ADMIN_PERMISSION,
  };
  const status = await app.orchestrator.handle({ type: "status" }, context);
  return renderText(renderResult(status, { now: app.clock.now(), timeZone: "UTC" }));
}

const ARRIVING = /slack: events arriving \(last \d+ s ago\)/;

describe("Slack health in status: events arriving, not a socket that says connected", () => {
  let db: TestDatabase;
  let h: SlackHarness | null = null;

  afterEach(async () => {
    await h?.close();
    h = null;
    await db.drop();
  });

  it("HTTP mode: listening with no events, then the time of the last signed request", async () => {
    db = sqliteDatabase();
    h = await startSlackHarness(db, "http");
    expect(await statusText(h.app)).toContain("slack: listening, no events yet");
    // A request with a bad signature is not Slack talking to baton: it does not count.
    await postSigned(h.eventsUrl, commandBody("/orchestrate", "status"), "application/x-www-form-urlencoded", {
      secret: "not-the-secret-at-all",
    });
    expect(await statusText(h.app)).toContain("slack: listening, no events yet");
    await postSigned(h.eventsUrl, commandBody("/orchestrate", "status"), "application/x-www-form-urlencoded");
    const slack = h.slack;
    const post = await slack.waitFor(() => slack.performed("chat.postMessage")[0], "the status reply");
    expect(JSON.stringify(post.blocks)).toMatch(ARRIVING);
    expect(await statusText(h.app)).toMatch(ARRIVING);
    await h.frontEnd.stop();
    expect(await statusText(h.app)).not.toContain("slack:");
  });

  it("Socket Mode: connected with no events, then events arriving through a reconnect", async () => {
    db = sqliteDatabase();
    h = await startSlackHarness(db, "socket");
    const { slack, app } = h;
    expect(await statusText(app)).toContain("slack: connected, no events yet");
    const opened = slack.performed("apps.connections.open").length;
    slack.dropConnections();
    await slack.waitFor(
      () => slack.performed("apps.connections.open").length > opened && slack.connections > 0,
      "a new connection",
      20_000,
    );
    await slack.sendEnvelope("slash_commands", {
      token: "deprecated",
      team_id: TEAM,
      channel_id: "C0OPS",
      channel_name: "ops",
      user_id: "U0ADA",
      user_name: "ada",
      command: "/orchestrate",
      text: "status",
      api_app_id: "A0BATON",
      response_url: slack.responseUrl("health"),
      trigger_id: "trigger-health",
    });
    await slack.waitFor(() => slack.performed("chat.postMessage")[0], "the status reply");
    expect(await statusText(app)).toMatch(ARRIVING);
  });
});
