import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { chatRequest, RecordingConversation, startTestApp } from "../support/app.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";

/** Issue 15: a recognized run missing a required input asks for it in the thread; the answer runs it. */
describe.each(DATABASE_KINDS)("asking for what is missing ($kind)", ({ create }) => {
  let db: TestDatabase;
  let app: App;

  beforeAll(async () => {
    db = await create();
    app = await startTestApp({ url: db.url, resume: false });
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  async function say(text: string, thread: string) {
    const conversation = new RecordingConversation(true);
    const outcome = await app.dispatcher.dispatch(
      chatRequest(text, {
        platform: "slack",
        channel: "C0OPS",
        thread,
        actor: { id: "U0ADA", name: "Ada", platform: "slack" },
      }),
      conversation,
    );
    const settled = await outcome.settled;
    return { outcome, settled, posts: conversation.posts };
  }

  it("asks for hello's name in the thread, then runs it with the answer", async () => {
    const asked = await say("kick off hello", "1700000000.000100");
    expect(asked.outcome.question).toBe(
      "To run hello I need `name` (Who to greet). What should `name` be? Reply with just the value.",
    );
    expect(asked.posts.map((p) => p.text)).toEqual([asked.outcome.question]);
    expect(asked.posts[0]?.ephemeral).toBe(false);
    const row = await new AuditRepository(app.database).get(asked.outcome.auditId ?? -1);
    expect(row).toMatchObject({ commandType: "workflow.run", errorCode: "needs_clarification" });

    const answered = await say("Ada Lovelace", "1700000000.000100");
    expect(answered.outcome.command).toEqual({
      type: "workflow.run",
      workflow: "hello",
      input: { name: "Ada Lovelace" },
    });
    expect(answered.settled.reply.text).toContain("Hello, Ada Lovelace!");
  });

  it("takes key=value answers, keeps other threads apart, and lets a person decline", async () => {
    const asked = await say("please run hello", "1700000000.000200");
    expect(asked.outcome.question).toContain("To run hello I need `name`");
    // Another thread's "Grace" answers nothing there.
    const elsewhere = await say("Grace", "1700000000.000300");
    expect(elsewhere.outcome.command).toBeNull();
    const answered = await say("name=Grace", "1700000000.000200");
    expect(answered.outcome.command).toEqual({ type: "workflow.run", workflow: "hello", input: { name: "Grace" } });

    const again = await say("start healthcheck", "1700000000.000400");
    expect(again.outcome.question).toContain("To run healthcheck I need `urls`");
    const declined = await say("never mind", "1700000000.000400");
    expect(declined.outcome.command).toBeNull();
    expect(declined.posts[0]?.text).toBe("OK, I won't run healthcheck.");
  });
});
