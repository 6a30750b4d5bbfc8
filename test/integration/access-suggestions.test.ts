import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/app.js";
import type { Actor } from "../../src/commands/context.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/logger.js";
import { RecordingConversation } from "../support/app.js";
import { WORKFLOWS_DIR } from "../support/cli.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";

const ADMIN: Actor = { id: "U0ADMIN", name: "ada", platform: "slack" };
const VIEWER: Actor = { id: "U0VIEW", name: "vic", platform: "slack" };

/** Issue 14: suggestions and did-you-mean offer a person only commands they may run here. */
describe.each(DATABASE_KINDS)("suggestions follow the policy ($kind)", ({ create }) => {
  let db: TestDatabase;
  let app: App;

  beforeAll(async () => {
    db = await create();
    const config = loadConfig({
      DATABASE_URL: db.url,
      BATON_WORKFLOWS_DIR: WORKFLOWS_DIR,
      LOG_LEVEL: "silent",
      BATON_ADMINS: "slack:U0ADMIN",
    });
    app = await createApp(config, silentLogger, { frontEnds: ["test"], resume: false });
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  async function say(actor: Actor, text: string): Promise<string> {
    const conversation = new RecordingConversation();
    await app.dispatcher.dispatch(
      {
        platform: "slack",
        workspace: "T1",
        channel: "C0OPS",
        thread: null,
        actor,
        text,
        dedupeKey: `test:${Math.random()}`,
        receivedAt: new Date(),
      },
      conversation,
    );
    return JSON.stringify(conversation.posts);
  }

  it("offers an admin the command a typo meant, and a viewer nothing they may not run", async () => {
    expect(await say(ADMIN, "/orchestrate rnu hello name=Ada")).toContain("/orchestrate run hello name=Ada");
    const viewer = await say(VIEWER, "/orchestrate rnu hello name=Ada");
    expect(viewer).toContain("Unknown command `rnu`.");
    expect(viewer).not.toContain("Did you mean");
    expect(viewer).not.toContain("/orchestrate run");
  });

  it("keeps the suggestions a viewer may use", async () => {
    const viewer = await say(VIEWER, "/orchestrate stauts");
    expect(viewer).toContain("Did you mean `status`?");
    expect(viewer).toContain("/orchestrate status");
  });
});
