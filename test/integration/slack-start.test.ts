import { createServer } from "node:net";
import { PassThrough, Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli.js";
import { spawnCli } from "../support/cli.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { eventually, SPAWNED_PROCESS_MS } from "../support/eventually.js";
import { FakeSlack, TEAM } from "../support/fake-slack.js";
import { slackWorkflows } from "../support/fake-slack-app.js";
import { commandBody, postSigned, SIGNING_SECRET } from "../support/fake-slack-requests.js";

describe("baton start with Slack configured", () => {
  let db: TestDatabase;
  let slack: FakeSlack;

  beforeAll(async () => {
    db = sqliteDatabase();
    slack = await new FakeSlack().start();
  });

  afterAll(async () => {
    await slack.stop();
    await db.drop();
  });

  it("serves Slack without a console (stdin is not a terminal), shows it in status, and stops on SIGTERM", async () => {
    const run = spawnCli(["start"], {
      LOG_LEVEL: "warn",
      DATABASE_URL: db.url,
      BATON_WORKFLOWS_DIR: slackWorkflows(),
      SLACK_BOT_TOKEN: "xoxb-test-token",
      SLACK_APP_TOKEN: "xapp-test-token",
      SLACK_API_URL: slack.apiUrl,
      SLACK_SEND_INTERVAL_MS: "0",
    });
    const { child, exited } = run;
    child.stdin.end();
    try {
      await slack.waitFor(
        () => slack.connections > 0,
        `a Socket Mode connection (stderr: ${run.stderr()})`,
        SPAWNED_PROCESS_MS,
      );
      await slack.sendEnvelope("slash_commands", {
        team_id: TEAM,
        channel_id: "C0OPS",
        user_id: "U0ADA",
        user_name: "ada",
        command: "/orchestrate",
        text: "status",
        trigger_id: "trigger-start-1",
      });
      const post = await slack.waitFor(() => slack.performed("chat.postMessage")[0], "the status");
      const blocks = JSON.stringify(post.blocks);
      expect(blocks).toContain("slack (socket mode)");
      expect(blocks).not.toContain("console");
      expect(run.stdout()).not.toContain("baton>");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(run.stdout()).toContain("bye");
    expect(slack.connections).toBe(0);
  });

  it("stops with one sentence when Slack refuses the app token", async () => {
    slack.connectionsOpenError = "invalid_auth";
    const stderr: string[] = [];
    const io = {
      stdin: Readable.from([]),
      stdout: new PassThrough(),
      stderr: new Writable({
        write(chunk, _encoding, done) {
          stderr.push(String(chunk));
          done();
        },
      }),
      env: {
        DATABASE_URL: db.url,
        BATON_WORKFLOWS_DIR: slackWorkflows(),
        LOG_LEVEL: "silent",
        SLACK_BOT_TOKEN: "xoxb-test-token",
        SLACK_APP_TOKEN: "xapp-revoked",
        SLACK_API_URL: slack.apiUrl,
      },
    };
    try {
      expect(await main(["start"], io)).toBe(1);
    } finally {
      slack.connectionsOpenError = null;
    }
    expect(stderr.join("")).toContain("baton stopped: Slack did not start (An API error occurred: invalid_auth)");
  });

  it("HTTP mode with Slack's API down: logs no 'started', answers 503, then starts by itself when Slack is back", async () => {
    const port = await freePort();
    slack.down = "503";
    const run = spawnCli(["start"], {
      LOG_LEVEL: "info",
      DATABASE_URL: db.url,
      BATON_WORKFLOWS_DIR: slackWorkflows(),
      SLACK_BOT_TOKEN: "xoxb-test-token",
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_SEND_INTERVAL_MS: "0",
      PORT: String(port),
    });
    const { child, exited } = run;
    child.stdin.end();
    const url = `http://127.0.0.1:${port}/slack/events`;
    const form = "application/x-www-form-urlencoded";
    try {
      await eventually(() => run.stderr().includes("slack front-end waiting for Slack's API"), "the waiting log line", {
        timeoutMs: SPAWNED_PROCESS_MS,
      });
      expect(run.stderr()).toContain("slack api unreachable; retrying");
      expect(run.stderr()).not.toContain("slack front-end started");
      const refused = await postSigned(url, commandBody("/orchestrate", "status", { channel_id: "C0CLIDOWN" }), form);
      expect(refused.status).toBe(503);
      // The one HTTP server: alive, not ready while Slack cannot be reached, and saying why.
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toMatchObject({ notReady: [{ name: "slack", reason: "slack is not connected" }] });
      slack.down = null;
      await eventually(() => run.stderr().includes("slack front-end started"), "the started log line", {
        timeoutMs: SPAWNED_PROCESS_MS,
      });
      const answered = await postSigned(url, commandBody("/orchestrate", "status", { channel_id: "C0CLIBACK" }), form);
      expect(answered.status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await fetch(`${base}/api/v1/status`)).status).toBe(401);
      await slack.waitFor(
        () => slack.performed("chat.postMessage").find((p) => p.channel === "C0CLIBACK"),
        "the reply",
      );
      expect(slack.performed("chat.postMessage").filter((p) => p.channel === "C0CLIDOWN")).toEqual([]);
    } finally {
      slack.down = null;
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
