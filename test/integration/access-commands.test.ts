import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import type { Actor } from "../../src/commands/context.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { GrantRepository } from "../../src/db/repositories/grant-repository.js";
import { chatRequest, RecordingConversation, startTestApp } from "../support/app.js";
import { DATABASE_KINDS, sqliteDatabase, type TestDatabase } from "../support/databases.js";

const ADMIN: Actor = { id: "U0ADMIN", name: "ada", platform: "slack" };
const LIN: Actor = { id: "U0LIN", name: "lin", platform: "slack" };

/** Issue 14: grants managed from chat, through the dispatcher, stored and refused as README "Permissions" says. */
describe.each(DATABASE_KINDS)("access commands ($kind)", ({ create }) => {
  let db: TestDatabase;
  let app: App;

  beforeAll(async () => {
    db = await create();
    app = await startTestApp({ url: db.url, env: { BATON_ADMINS: "slack:U0ADMIN" }, resume: false });
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  async function say(actor: Actor, text: string, channel = "C0OPS") {
    const conversation = new RecordingConversation(true);
    const outcome = await app.dispatcher.dispatch(
      chatRequest(text, { platform: "slack", workspace: "T1", channel, actor }),
      conversation,
    );
    await outcome.settled;
    return { outcome, text: outcome.reply.text, prompts: conversation.prompts };
  }

  const stored = async () =>
    (await new GrantRepository(app.database).all()).map((g) => ({
      subject: g.subject,
      role: g.role,
      channel: g.channel,
      workflow: g.workflow,
    }));

  it("grants a channel-scoped role that then decides what the person may run there, and audits it", async () => {
    expect((await say(LIN, "/orchestrate run hello name=Lin")).outcome.outcome).toBe("denied");
    const granted = await say(ADMIN, "/orchestrate grant <@U0LIN> operator <#C0OPS|ops>");
    expect(granted.text).toBe("🔑 slack:U0LIN is now operator in channel C0OPS.");
    expect(await stored()).toContainEqual({
      subject: { kind: "person", account: "slack:U0LIN" },
      role: "operator",
      channel: "C0OPS",
      workflow: null,
    });
    const row = await new AuditRepository(app.database).get(granted.outcome.auditId ?? -1);
    expect(row).toMatchObject({ commandType: "access.grant", outcome: "ok" });
    expect((await say(LIN, "/orchestrate run hello name=Lin")).outcome.outcome).not.toBe("denied");
    expect((await say(LIN, "/orchestrate run hello name=Lin", "C0ELSEWHERE")).outcome.outcome).toBe("denied");
    const again = await say(ADMIN, "/orchestrate grant <@U0LIN> operator <#C0OPS|ops>");
    expect(again.text).toContain("already holds operator in channel C0OPS; nothing changed");
  });

  it("answers bad grants with one sentence each and stores nothing", async () => {
    const before = await stored();
    const cases: Array<[string, RegExp]> = [
      ["/orchestrate grant <@U0LIN> wizard", /^There is no role `wizard`; roles are viewer, operator, approver, admin/],
      ["/orchestrate grant <@U0LIN> operator workflow=nope", /^There is no workflow `nope`/],
      ["/orchestrate grant @lin operator", /`@lin` is not a slack user id; mention the person/],
      ["/orchestrate grant <@U0LIN> operator #ops", /`#ops` is a channel name, not its id/],
      ["/orchestrate grant mars:1 operator", /names no platform baton knows/],
    ];
    for (const [text, expected] of cases) {
      const answer = await say(ADMIN, text);
      expect(answer.outcome.outcome, text).not.toBe("ok");
      expect(answer.text, text).toMatch(expected);
    }
    expect(await stored()).toEqual(before);
  });

  it("refuses grants from people who may not grant", async () => {
    const denied = await say(LIN, "/orchestrate grant <@U0BOB> viewer");
    expect(denied.outcome.outcome).toBe("denied");
    expect(denied.text).toMatch(/^You may not run `access.grant` here: it needs the admin role/);
    expect(await stored()).not.toContainEqual(
      expect.objectContaining({ subject: { kind: "person", account: "slack:U0BOB" } }),
    );
  });

  it("revokes after confirmation, and says when there is nothing to revoke", async () => {
    await say(ADMIN, "/orchestrate grant <@U0BOB> admin");
    const revoked = await say(ADMIN, "/orchestrate revoke <@U0BOB> admin");
    expect(revoked.text).toBe("🔒 Revoked admin everywhere from slack:U0BOB.");
    expect(revoked.prompts.map((prompt) => prompt.question)).toEqual([
      "Revoke admin from <@U0BOB>? They keep their other grants.",
    ]);
    expect((await stored()).some((g) => g.subject.kind === "person" && g.subject.account === "slack:U0BOB")).toBe(
      false,
    );
    const missing = await say(ADMIN, "/orchestrate revoke <@U0BOB> admin");
    expect(missing.text).toMatch(/^slack:U0BOB holds no admin grant; `\/orchestrate access` lists the grants\./);
    // Checked before anyone is asked to confirm a revocation that would do nothing.
    expect(missing.prompts).toEqual([]);
  });

  it("shows who can do what, and tells a person who they are", async () => {
    const access = await say(LIN, "/orchestrate access");
    expect(access.text).toContain("slack:U0LIN — operator in channel C0OPS (granted by slack:U0ADMIN");
    const theirs = await say(LIN, "/orchestrate access <@U0LIN>");
    expect(theirs.text).toContain("Access: slack:U0LIN");
    const me = await say(LIN, "/orchestrate whoami");
    expect(me.text).toContain("Your roles here: operator.");
    expect(me.text).toContain("Accounts: slack:U0LIN");
    expect(me.text).toMatch(/May run in C0OPS: .*workflow\.run/);
    const elsewhere = await say(LIN, "/orchestrate whoami", "C0ELSEWHERE");
    expect(elsewhere.text).toContain("Your roles here: viewer.");
    expect(elsewhere.text).not.toContain("workflow.run");
  });
});

describe("the last admin", () => {
  it("cannot be revoked, while another admin can", async () => {
    const db = sqliteDatabase();
    // No BATON_ADMINS: the grants are the only admins besides the owner typing here.
    const app = await startTestApp({ url: db.url, env: { BATON_ADMINS: "" }, resume: false });
    const say = async (text: string) => {
      const outcome = await app.dispatcher.dispatch(chatRequest(text), new RecordingConversation(true));
      await outcome.settled;
      return outcome.reply.text;
    };
    try {
      await say("/orchestrate grant slack:U0A admin");
      expect(await say("/orchestrate revoke slack:U0A admin")).toBe(
        "slack:U0A is the last admin; grant admin to someone else (or name one in BATON_ADMINS) first.",
      );
      await say("/orchestrate grant slack:U0B admin");
      expect(await say("/orchestrate revoke slack:U0A admin")).toBe("🔒 Revoked admin everywhere from slack:U0A.");
    } finally {
      await app.close();
      await db.drop();
    }
  });
});
