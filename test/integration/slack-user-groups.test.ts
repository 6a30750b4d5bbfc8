import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { GrantRepository } from "../../src/db/repositories/grant-repository.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { type SlackHarness, startSlackHarness } from "../support/fake-slack-app.js";
import { clickBody, clickPayload, commandBody, postSigned } from "../support/fake-slack-requests.js";
import { grantRole } from "../support/grants.js";

const FORM = "application/x-www-form-urlencoded";
type Args = Record<string, unknown>;
const blocksText = (args: Args) => JSON.stringify(args.blocks ?? []);

/** Issue 14: Slack user groups as grant subjects and approvers, read with usergroups.users.list through Bolt. */
describe.each(DATABASE_KINDS)("Slack user groups ($kind)", ({ create }) => {
  let db: TestDatabase;
  let h: SlackHarness;

  beforeAll(async () => {
    db = await create();
    h = await startSlackHarness(db, "http");
    h.slack.userGroups.set("S0ONCALL", ["U0LIN"]);
    h.slack.userGroups.set("S0SRE", ["U0BOB"]);
  });

  afterAll(async () => {
    await h.close();
    await db.drop();
  });

  /** A slash command from `user`; resolves with baton's first answer (a post, an ephemeral or a response_url). */
  async function command(user: string, text: string): Promise<Args> {
    const before = h.slack.calls.length;
    const fields = { user_id: user, user_name: user.toLowerCase(), response_url: h.slack.responseUrl(user) };
    await postSigned(h.eventsUrl, commandBody("/orchestrate", text, fields), FORM);
    await h.settle();
    const answers = new Set(["chat.postMessage", "chat.postEphemeral", "response_url"]);
    return h.slack.waitFor(
      () => h.slack.calls.slice(before).find((call) => call.performed && answers.has(call.method))?.args,
      `the answer to ${text}`,
    );
  }

  function started(workflow: string, since: number): Args | undefined {
    return h.slack
      .performed("chat.postMessage")
      .slice(since)
      .find((p) => String(p.text).includes(`Started ${workflow}`));
  }

  it("lets a member of a granted user group run what the group may, and nobody else", async () => {
    const granted = await command("U0ADA", "grant <!subteam^S0ONCALL|@oncall> operator");
    expect(String(granted.text)).toContain("group slack:S0ONCALL is now operator everywhere");
    const before = h.slack.performed("chat.postMessage").length;
    const refused = await command("U0BOB", "run hello");
    expect(String(refused.text)).toMatch(/^You may not run `workflow.run` here: it needs the operator role/);
    expect(await started("hello", before)).toBeUndefined();
    await command("U0LIN", "run hello");
    expect(await started("hello", before)).toBeDefined();
    const asked = h.slack.performed("usergroups.users.list").map((args) => args.usergroup);
    expect(asked).toContain("S0ONCALL");
  });

  it("refuses grants naming a user, group or channel Slack does not have, storing nothing", async () => {
    h.slack.missingUsers.add("U0GONE");
    const grants = new GrantRepository(h.app.database);
    const before = (await grants.all()).length;
    const cases: Array<[string, string]> = [
      ["grant <@U0GONE> operator", "slack has no user `U0GONE`"],
      ["grant <!subteam^S0NOPE|@nope> operator", "slack has no group `S0NOPE`"],
      ["grant <@U0LIN> operator <#C0SECRET|secret>", "slack has no channel `C0SECRET` baton can see"],
    ];
    for (const [text, expected] of cases) {
      const answer = await command("U0ADA", text);
      expect(String(answer.text), text).toContain(expected);
    }
    expect((await grants.all()).length).toBe(before);
    const scoped = await command("U0ADA", "grant <@U0LIN> approver <#C0DEPLOY|deploy>");
    expect(String(scoped.text)).toContain("slack:U0LIN is now approver in channel C0DEPLOY");
  });

  it("takes an approval only from the user group its step names", async () => {
    await grantRole(h.app.database, "group:slack:S0ONCALL", "approver");
    const before = h.slack.performed("chat.postMessage").length;
    await command("U0ADA", "run oncall-gate");
    const first = await h.slack.waitFor(() => started("oncall-gate", before), "the run's first message");
    if (first === undefined) throw new Error("no first message");
    const ts = h.slack.tsOf(first);
    const waiting = await h.slack.waitFor(
      () => h.slack.performed("chat.update").find((u) => u.ts === ts && blocksText(u).includes("baton:approve:")),
      "the run's message with buttons",
    );
    const id = /baton:approve:(ex_[A-Za-z0-9_-]+)/.exec(blocksText(waiting))?.[1] ?? "";
    const message = { channel: "C0OPS", ts, blocks: waiting.blocks, text: String(waiting.text) };
    const executions = new ExecutionRepository(h.app.database);

    // UGRACE is an admin, but not in the on-call group the step names.
    const ephemerals = h.slack.performed("chat.postEphemeral").length;
    await postSigned(
      h.eventsUrl,
      clickBody(clickPayload(`baton:approve:${id}`, { id: "UGRACE", name: "grace" }, message)),
      FORM,
    );
    const refusal = await h.slack.waitFor(
      () => h.slack.performed("chat.postEphemeral").slice(ephemerals)[0],
      "a refusal",
    );
    expect(String(refusal.text)).toContain("Only group:S0ONCALL may decide");
    expect((await executions.get(id))?.status).toBe("waiting");

    await postSigned(
      h.eventsUrl,
      clickBody(clickPayload(`baton:approve:${id}`, { id: "U0LIN", name: "lin" }, message)),
      FORM,
    );
    await h.slack.waitFor(
      () => h.slack.performed("chat.update").find((u) => u.ts === ts && blocksText(u).includes("Approved by <@U0LIN>")),
      "the message showing who approved",
    );
    await h.settle();
    expect((await executions.get(id))?.status).toBe("succeeded");
  });

  it("denies, and says why, when Slack cannot say who is in a group a grant names", async () => {
    await grantRole(h.app.database, "group:slack:S0SRE", "operator");
    h.slack.userGroupsError = "missing_scope";
    try {
      const refused = await command("U0BOB", "run hello");
      expect(String(refused.text)).toContain("Slack did not say who is in user group S0SRE (missing_scope)");
      expect(String(refused.text)).toContain("baton denies rather than guesses");
    } finally {
      h.slack.userGroupsError = null;
    }
    const ok = await command("U0BOB", "status");
    expect(String(ok.text)).not.toContain("You may not run");
  });
});
