import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { type SlackHarness, startSlackHarness } from "../support/fake-slack-app.js";
import { commandBody, postSigned } from "../support/fake-slack-requests.js";
import { tablesContaining } from "../support/raw-tables.js";

const FORM = "application/x-www-form-urlencoded";
const TYPED = ["PlainOpaqueValue42", "CorrectHorseBattery"];

describe.each(DATABASE_KINDS)("a secret typed into a Slack slash command ($kind)", ({ create }) => {
  let db: TestDatabase;
  let h: SlackHarness;

  beforeAll(async () => {
    db = await create();
    h = await startSlackHarness(db, "http");
  });

  afterAll(async () => {
    await h.close();
    await db.drop();
  });

  it("`/orchestrate run hello token=PlainOpaqueValue42 password=CorrectHorseBattery` is refused to the asker, stored nowhere", async () => {
    const text = "run hello token=PlainOpaqueValue42 password=CorrectHorseBattery";
    const response = await postSigned(h.eventsUrl, commandBody("/orchestrate", text), FORM);
    expect(response.status).toBe(200);
    const refusal = await h.slack.waitFor(
      () => h.slack.performed("chat.postEphemeral").find((post) => String(post.text).includes("did not store")),
      "the refusal",
    );
    expect(refusal).toMatchObject({ channel: "C0OPS", user: "U0ADA" });
    expect(String(refusal.text)).toMatch(
      /^baton did not store or run this request because `token` and `password` are secrets; add it as a baton secret instead \(the environment variable `BATON_SECRET_TOKEN`/,
    );
    await h.settle();
    await h.app.eventLog.flush();
    expect(JSON.stringify(h.slack.calls)).not.toMatch(/PlainOpaqueValue42|CorrectHorseBattery/);
    expect(await tablesContaining(h.app.database, TYPED)).toEqual([]);
    const [row] = await new AuditRepository(h.app.database).recent({ limit: 1 });
    expect(row).toMatchObject({
      platform: "slack",
      outcome: "invalid",
      errorCode: "secret_in_chat",
      executionId: null,
      text: "/orchestrate run hello token=[REDACTED] password=[REDACTED]",
    });
  });
});
