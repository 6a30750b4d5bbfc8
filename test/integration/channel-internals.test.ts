import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { silentLogger } from "../../src/logger.js";
import { FAKE_PLATFORM_ADMINS, RecordingConversation } from "../support/app.js";
import { WORKFLOWS_DIR } from "../support/cli.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { type SlackHarness, startSlackHarness } from "../support/fake-slack-app.js";
import { commandBody, postSigned } from "../support/fake-slack-requests.js";

/**
 * Issue 12 item 7: status and errors posted in a channel carry no connection string, file path
 * or port; on main `status` showed the database URL or path and the HTTP port to everyone.
 */

/** What of a database URL must never reach a channel: its path or host, port and credentials. */
function internalsOf(url: string): string[] {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    return [path, path.split("/").slice(0, -1).join("/"), "sqlite:"];
  }
  const parsed = new URL(url);
  return [url, parsed.hostname, parsed.port || "5432", parsed.pathname, "postgres://"].filter((s) => s.length > 1);
}

describe.each(DATABASE_KINDS)("no internals in channels ($kind)", ({ kind, create }) => {
  let db: TestDatabase;
  let app: App;

  beforeAll(async () => {
    db = await create();
    const config = loadConfig({
      DATABASE_URL: db.url,
      BATON_WORKFLOWS_DIR: WORKFLOWS_DIR,
      LOG_LEVEL: "silent",
      BATON_ADMINS: FAKE_PLATFORM_ADMINS,
    });
    // The front-end labels `baton start` passes, HTTP port included.
    app = await createApp(config, silentLogger, {
      frontEnds: ["slack (http :3000/slack/events)", "discord", "console"],
      resume: false,
    });
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  async function say(text: string) {
    const conversation = new RecordingConversation();
    const outcome = await app.dispatcher.dispatch(
      {
        platform: "slack",
        workspace: "T1",
        channel: "C0OPS",
        thread: null,
        actor: { id: "U0ADA", name: "ada", platform: "slack" },
        text,
        dedupeKey: `test:${Math.random()}`,
        receivedAt: new Date(),
      },
      conversation,
    );
    return { outcome, conversation };
  }

  it("status names the database kind, not its path or URL, and no port", async () => {
    const { conversation } = await say("/orchestrate status");
    // Ada is an admin: her internals come privately, after the status the channel sees.
    const [channel, aside, ...rest] = conversation.posts;
    expect(rest).toEqual([]);
    expect(aside).toMatchObject({ ephemeral: true });
    expect(aside?.text).toContain("Admin details (only you see this)");
    expect(aside?.text).toMatch(/Process: pid \d+/);
    const shown = JSON.stringify({ ...channel, aside: undefined });
    expect(shown).toContain("baton status");
    expect(shown).toContain(kind === "sqlite" ? "SQLite" : "PostgreSQL");
    expect(shown).toContain("slack (http)");
    for (const internal of [...internalsOf(db.url), ":3000", "3000/slack"]) expect(shown).not.toContain(internal);
  });

  it("a database failure is answered with the driver's code, not its message, and logged in the row", async () => {
    await app.database.sequelize.getQueryInterface().dropTable("step_attempts");
    await app.database.sequelize.getQueryInterface().dropTable("executions");
    const { outcome, conversation } = await say("/orchestrate run hello name=Ada");
    expect(outcome.outcome).toBe("error");
    const text = conversation.posts.at(-1)?.text ?? "";
    expect(text).toMatch(/^The database refused the request \([A-Z0-9_]+\); baton's log has the details\.$/);
    for (const internal of ["executions", "relation", "no such table", "INSERT", ...internalsOf(db.url)]) {
      expect(text).not.toContain(internal);
    }
    const row = outcome.auditId === null ? null : await new AuditRepository(app.database).get(outcome.auditId);
    expect(row).toMatchObject({ outcome: "error", errorCode: "database_error", errorMessage: text });
  });
});

describe("status through the real Slack app", () => {
  let db: TestDatabase;
  let h: SlackHarness;

  beforeAll(async () => {
    const [sqlite] = DATABASE_KINDS;
    db = await (sqlite?.create() ?? Promise.reject(new Error("no database kind")));
    h = await startSlackHarness(db, "http");
  });

  afterAll(async () => {
    await h.close();
    await db.drop();
  });

  it("posts status in the channel without the database path or baton's HTTP port", async () => {
    const before = h.slack.performed("chat.postMessage").length;
    const response = await postSigned(
      h.eventsUrl,
      commandBody("/orchestrate", "status"),
      "application/x-www-form-urlencoded",
    );
    expect(response.status).toBe(200);
    const post = await h.slack.waitFor(() => h.slack.performed("chat.postMessage").slice(before)[0], "the status post");
    const shown = JSON.stringify(post);
    expect(shown).toContain("baton status");
    const port = new URL(h.eventsUrl).port;
    for (const internal of [...internalsOf(db.url), `:${port}`]) expect(shown).not.toContain(internal);
  });
});
