import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import type { Actor } from "../../src/commands/context.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { IdentityRepository } from "../../src/db/repositories/identity-repository.js";
import { chatRequest, RecordingConversation, startTestApp, workflowsWithSlowOne } from "../support/app.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { grantRole } from "../support/grants.js";

const LIN_SLACK: Actor = { id: "U0LIN", name: "lin", platform: "slack" };
const LIN_DISCORD: Actor = { id: "400000000000000042", name: "lin", platform: "discord" };
const BOB_DISCORD: Actor = { id: "400000000000000043", name: "bob", platform: "discord" };
const CODE = /link code is ([A-Z2-9]{4}-[A-Z2-9]{4})\b/;

/** Issue 14, one identity: a one-time code from one account, typed on another, makes them one person. */
describe.each(DATABASE_KINDS)("linking accounts ($kind)", ({ create }) => {
  let db: TestDatabase;
  let app: App;

  beforeAll(async () => {
    db = await create();
    app = await startTestApp({
      url: db.url,
      env: { BATON_ADMINS: "slack:U0ADMIN" },
      workflowsDir: workflowsWithSlowOne(),
      resume: false,
    });
    await grantRole(app.database, "slack:U0LIN", "operator");
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  async function say(actor: Actor, text: string, follow = true) {
    const outcome = await app.dispatcher.dispatch(
      chatRequest(text, { platform: actor.platform, channel: "C0OPS", actor }),
      new RecordingConversation(true),
    );
    if (follow) await outcome.settled;
    return { outcome, text: outcome.reply.text, ephemeral: outcome.reply.ephemeral };
  }

  async function codeFor(actor: Actor): Promise<string> {
    const issued = await say(actor, "/orchestrate link");
    expect(issued.ephemeral).toBe(true);
    const code = CODE.exec(issued.text)?.[1];
    expect(code, issued.text).toBeDefined();
    return code ?? "";
  }

  it("links Slack to Discord with a private single-use code; the Discord account then acts as Lin", async () => {
    expect((await say(LIN_DISCORD, "/orchestrate run hello name=Lin")).outcome.outcome).toBe("denied");
    const code = await codeFor(LIN_SLACK);
    // Only a hash is kept: the code appears in no table and no audit row.
    const codes = await app.database.raw.all<{ code_hash: string }>("SELECT code_hash FROM link_codes", []);
    expect(codes.map((row) => row.code_hash).join()).not.toContain(code);

    const linked = await say(LIN_DISCORD, `/orchestrate link ${code.toLowerCase()}`);
    expect(linked.text).toContain("Linked: slack:U0LIN, discord:400000000000000042 are now one person");
    expect(linked.ephemeral).toBe(true);
    const whoami = await say(LIN_DISCORD, "/orchestrate whoami");
    expect(whoami.text).toContain("Accounts: slack:U0LIN, discord:400000000000000042");
    expect(whoami.text).toContain("Your roles here: operator.");
    const run = await say(LIN_DISCORD, "/orchestrate run hello name=Lin");
    expect(run.outcome.outcome).toBe("ok");

    const reused = await say(BOB_DISCORD, `/orchestrate link ${code}`);
    expect(reused.outcome.outcome).toBe("invalid");
    expect(reused.text).toMatch(/^That link code was already used;/);
    expect(await new IdentityRepository(app.database).personOf("discord:400000000000000043")).toBeNull();

    const audit = new AuditRepository(app.database);
    const row = await audit.get(linked.outcome.auditId ?? -1);
    expect(row).toMatchObject({ commandType: "identity.link", outcome: "ok" });
  });

  it("lets Lin cancel, from Discord, a run Lin started on Slack (one person's runs)", async () => {
    const started = await say(LIN_SLACK, "/orchestrate run slow", false);
    const id = started.outcome.result?.type === "workflow.run" ? started.outcome.result.execution.id : "";
    expect(id).toMatch(/^ex_/);
    const cancelled = await say(LIN_DISCORD, `/orchestrate cancel ${id}`);
    expect(cancelled.outcome.outcome).toBe("ok");
    const shown = await say(LIN_DISCORD, `/orchestrate show ${id}`);
    expect(shown.text).toContain("cancelled");
  });

  it("holds Lin to one user budget across both accounts", async () => {
    const admin: Actor = { id: "U0ADMIN", name: "ada", platform: "slack" };
    const set = await say(admin, "/orchestrate budget set user:U0LIN max_concurrent_runs=1");
    expect(set.outcome.outcome).toBe("ok");
    const first = await say(LIN_SLACK, "/orchestrate run slow", false);
    const id = first.outcome.result?.type === "workflow.run" ? first.outcome.result.execution.id : "";
    expect(id).toMatch(/^ex_/);
    const second = await say(LIN_DISCORD, "/orchestrate run slow", false);
    expect(second.outcome.result?.type).not.toBe("workflow.run");
    expect(second.text).toContain("max_concurrent_runs");
    expect((await say(LIN_DISCORD, `/orchestrate cancel ${id}`)).outcome.outcome).toBe("ok");
    expect((await say(admin, "/orchestrate budget set user:U0LIN max_concurrent_runs=100")).outcome.outcome).toBe("ok");
  });

  it("shows Lin's history from both accounts with `history @me`", async () => {
    const mine = await say(LIN_DISCORD, "/orchestrate history @me 50");
    const rows = mine.outcome.result?.type === "history" ? mine.outcome.result.entries : [];
    const platforms = new Set(rows.map((row) => `${row.platform}:${row.actorId}`));
    expect(platforms).toEqual(new Set(["slack:U0LIN", "discord:400000000000000042"]));
  });

  it("refuses a code typed on the account that asked for it, an expired code and one baton never issued", async () => {
    const own = await codeFor(BOB_DISCORD);
    expect((await say(BOB_DISCORD, `/orchestrate link ${own}`)).text).toMatch(
      /^That code was issued to this account, so it is spent;/,
    );
    const spent = await say({ id: "U0BOB", name: "bob", platform: "slack" }, `/orchestrate link ${own}`);
    expect(spent.text).toMatch(/^That link code was already used;/);
    const late = await codeFor(BOB_DISCORD);
    await app.database.raw.run("UPDATE link_codes SET expires_at = ? WHERE account = ? AND used_at IS NULL", [
      new Date(Date.now() - 60_000),
      "discord:400000000000000043",
    ]);
    const expired = await say({ id: "U0BOB", name: "bob", platform: "slack" }, `/orchestrate link ${late}`);
    expect(expired.text).toMatch(/^That link code has expired \(codes work for 10 minutes\);/);
    const unknown = await say(BOB_DISCORD, "/orchestrate link ZZZZ-ZZZZ");
    expect(unknown.text).toMatch(/^That link code is not one baton issued;/);
    expect(await new IdentityRepository(app.database).personOf("slack:U0BOB")).toBeNull();
  });

  it("refuses to link an account already linked to someone else, and unlinks on request", async () => {
    const bobs = await codeFor(BOB_DISCORD);
    const refused = await say(LIN_SLACK, `/orchestrate link ${bobs}`);
    expect(refused.text).toMatch(/^This account is already linked to someone, so the code is spent;/);

    const unlinked = await say(LIN_DISCORD, "/orchestrate unlink");
    expect(unlinked.text).toContain("discord:400000000000000042 is a person of its own again");
    const identities = new IdentityRepository(app.database);
    expect(await identities.personOf("discord:400000000000000042")).toBeNull();
    // Lin's Slack account was linked only to that one, so it is a person of its own too.
    expect(await identities.personOf("slack:U0LIN")).toBeNull();
    expect((await say(LIN_DISCORD, "/orchestrate run hello name=Lin")).outcome.outcome).toBe("denied");
    const again = await say(LIN_DISCORD, "/orchestrate unlink");
    expect(again.text).toContain("was not linked to another account; nothing changed");
  });
});
