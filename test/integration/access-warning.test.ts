import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { GrantRepository } from "../../src/db/repositories/grant-repository.js";
import { silentLogger } from "../../src/logger.js";
import { RecordingConversation } from "../support/app.js";
import { WORKFLOWS_DIR } from "../support/cli.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";

/** Issue 14: a platform front-end with nobody to administer baton from it is said in status, until an admin exists. */
describe.each(DATABASE_KINDS)("status warns while no platform admin exists ($kind)", ({ create }) => {
  let db: TestDatabase;
  let app: App;

  beforeAll(async () => {
    db = await create();
    const config = loadConfig({ DATABASE_URL: db.url, BATON_WORKFLOWS_DIR: WORKFLOWS_DIR, LOG_LEVEL: "silent" });
    app = await createApp(config, silentLogger, { frontEnds: ["slack (socket mode)", "console"], resume: false });
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  async function status(): Promise<string> {
    const conversation = new RecordingConversation();
    await app.dispatcher.dispatch(
      {
        platform: "console",
        workspace: null,
        channel: null,
        thread: null,
        actor: { id: "owner", name: "owner", platform: "console", owner: true },
        text: "/orchestrate status",
        dedupeKey: `test:${Math.random()}`,
        receivedAt: new Date(),
      },
      conversation,
    );
    return JSON.stringify(conversation.posts);
  }

  it("names the missing admin, and stops once one is granted", async () => {
    expect(await status()).toContain("no baton admin can act from Slack or Discord");
    await new GrantRepository(app.database).add({
      subject: { kind: "person", account: "slack:U0ADA" },
      role: "admin",
      channel: null,
      workflow: null,
      grantedBy: "console:owner",
      grantedAt: new Date(),
    });
    const after = await status();
    expect(after).toContain("baton status");
    expect(after).not.toContain("no baton admin");
  });
});
