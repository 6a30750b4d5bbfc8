import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import type { Grant } from "../../src/commands/access/grants.js";
import { COMMAND_SPECS, COMMAND_TYPES, type CommandType } from "../../src/commands/commands.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { GrantRepository } from "../../src/db/repositories/grant-repository.js";
import { chatRequest, RecordingConversation, startTestApp, workflowsWithSlowOne } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";

/**
 * Issue 14's matrix: every command type in the table × every kind of asker, through the real
 * dispatcher and a real database. The expectations are written from README "Permissions", not
 * computed by the policy under test.
 */

const LIN = { id: "U0LIN", name: "Lin", platform: "slack" };
const HERE = "C0HERE";

/** What each command type is typed as: a type without a line here does not compile. */
function texts(run: string): { [T in CommandType]: string } {
  return {
    help: "/orchestrate help",
    status: "/orchestrate status",
    history: "/orchestrate history",
    "workflow.list": "/orchestrate workflows",
    "workflow.show": "/orchestrate show hello",
    "workflow.run": "/orchestrate run hello name=Lin",
    "workflow.rollback": "/orchestrate rollback hello 1",
    "execution.list": "/orchestrate runs",
    "execution.show": `/orchestrate show ${run}`,
    "execution.approve": `/orchestrate approve ${run}`,
    "execution.reject": `/orchestrate reject ${run}`,
    "execution.cancel": `/orchestrate cancel ${run}`,
    ask: "/orchestrate ask why is the sky blue",
    "agent.list": "/orchestrate agents",
    "agent.spawn": "/orchestrate spawn sre",
    "agent.retire": "/orchestrate retire ag_1",
    "orchestrator.step": "/orchestrate step",
    "orchestrator.mode": "/orchestrate mode manual",
    "schedule.list": "/orchestrate schedules",
    "schedule.create": '/orchestrate schedule "0 9 * * 1-5" digest',
    "schedule.delete": "/orchestrate unschedule sch_1",
    digest: "/orchestrate digest",
    "budget.show": "/orchestrate budget",
    "budget.set": "/orchestrate budget set global max_daily_cost_usd=5",
    improve: "/improve be faster next time",
    "access.grant": "/orchestrate grant <@U0BOB> viewer",
    "access.revoke": "/orchestrate revoke <@U0BOB> viewer",
    "access.show": "/orchestrate access",
    "access.whoami": "/orchestrate whoami",
    "identity.link": "/orchestrate link",
    "identity.unlink": "/orchestrate unlink",
    "proposal.list": "/orchestrate proposals",
    "token.create": "/orchestrate token create ci",
    "token.list": "/orchestrate tokens",
    "token.revoke": "/orchestrate token revoke 1",
  };
}

const READ = COMMAND_TYPES.filter((type) => COMMAND_SPECS[type].access === "read");
/** Linking one's own accounts is open to everyone (README "Permissions", one identity). */
const IDENTITY = COMMAND_TYPES.filter((type) => type.startsWith("identity.") || type.startsWith("token."));
const VIEWER = new Set<CommandType>([...READ, ...IDENTITY]);
/** Operators cancel their own runs only; the run in the matrix is someone else's. */
const OPERATOR = new Set<CommandType>([...VIEWER, "workflow.run", "ask", "agent.spawn", "improve"]);
const APPROVER = new Set<CommandType>([...VIEWER, "execution.approve", "execution.reject"]);
const DEPLOYER = new Set<CommandType>([...VIEWER, "workflow.run", "schedule.create", "schedule.delete"]);

type Scope = Partial<Pick<Grant, "channel" | "workflow">> & { account?: string };

interface Case {
  name: string;
  grants: Array<{ role: string } & Scope>;
  /** Another account linked to Lin's, whose grants are Lin's too. */
  linked?: string;
  allowed: ReadonlySet<CommandType>;
}

const CASES: Case[] = [
  { name: "no grant", grants: [], allowed: VIEWER },
  { name: "viewer", grants: [{ role: "viewer" }], allowed: VIEWER },
  { name: "operator", grants: [{ role: "operator" }], allowed: OPERATOR },
  { name: "approver", grants: [{ role: "approver" }], allowed: APPROVER },
  { name: "admin", grants: [{ role: "admin" }], allowed: new Set(COMMAND_TYPES) },
  { name: "custom role", grants: [{ role: "deployer" }], allowed: DEPLOYER },
  { name: "operator in another channel", grants: [{ role: "operator", channel: "C0ELSEWHERE" }], allowed: VIEWER },
  { name: "operator for another workflow", grants: [{ role: "operator", workflow: "slow" }], allowed: VIEWER },
  {
    name: "operator through a linked identity",
    grants: [{ role: "operator", account: "discord:400000000000000099" }],
    linked: "discord:400000000000000099",
    allowed: OPERATOR,
  },
];

function rolesFile(): string {
  const path = join(tempDir("roles"), "roles.yaml");
  writeFileSync(
    path,
    [
      "roles:",
      "  deployer:",
      "    description: runs hello and manages schedules",
      '    allow: [read, "workflow.run:hello", "schedule.*"]',
      "",
    ].join("\n"),
  );
  return path;
}

describe.each(DATABASE_KINDS)("the access matrix on $kind", ({ create }) => {
  let database: TestDatabase;
  let app: App;
  let audit: AuditRepository;

  beforeEach(async () => {
    database = await create();
    app = await startTestApp({
      url: database.url,
      workflowsDir: workflowsWithSlowOne(),
      env: { BATON_ROLES_FILE: rolesFile() },
    });
    audit = new AuditRepository(app.database);
  });

  afterEach(async () => {
    await app.close();
    await database.drop();
  });

  /** Lin asks here; a run it starts is followed to its end unless `follow` is false. */
  async function as(actor: typeof LIN, text: string, follow = true) {
    const outcome = await app.dispatcher.dispatch(
      chatRequest(text, { platform: actor.platform, channel: HERE, actor }),
      new RecordingConversation(true),
    );
    if (follow) await outcome.settled;
    return { outcome, row: outcome.auditId === null ? null : await audit.get(outcome.auditId) };
  }

  /** A slow run someone else (an admin) started, for the commands that name an execution. */
  async function othersRun(): Promise<string> {
    const started = await app.dispatcher.dispatch(
      chatRequest("/orchestrate run slow", {
        platform: "slack",
        channel: HERE,
        actor: { id: "U0ADA", name: "Ada", platform: "slack" },
      }),
      new RecordingConversation(true),
    );
    expect(started.result?.type).toBe("workflow.run");
    return started.result?.type === "workflow.run" ? started.result.execution.id : "";
  }

  async function given(entry: Case): Promise<void> {
    const grants = new GrantRepository(app.database);
    for (const grant of entry.grants)
      await grants.add({
        subject: { kind: "person", account: grant.account ?? "slack:U0LIN" },
        role: grant.role,
        channel: grant.channel ?? null,
        workflow: grant.workflow ?? null,
        grantedBy: "console:ada",
        grantedAt: new Date(),
      });
    if (entry.linked)
      await app.database.raw.run(
        "INSERT INTO identity_links (account, person, linked_at) VALUES (?, ?, ?), (?, ?, ?)",
        ["slack:U0LIN", entry.linked, new Date(), entry.linked, entry.linked, new Date()],
      );
  }

  it.each(CASES)("decides every command type for $name as documented", async (entry) => {
    await given(entry);
    const run = await othersRun();
    const typed = texts(run);
    const decided: string[] = [];
    for (const type of COMMAND_TYPES) {
      const { outcome, row } = await as(LIN, typed[type]);
      // The matrix tests what it claims only if each text is the command it stands for.
      expect(row?.commandType, typed[type]).toBe(type);
      const denied = outcome.outcome === "denied";
      decided.push(`${type}: ${denied ? "denied" : "allowed"}`);
      if (denied)
        expect(outcome.reply.text, type).toMatch(/^(You may not run `|You may cancel only runs you started;)/);
    }
    const expected = COMMAND_TYPES.map((type) => `${type}: ${entry.allowed.has(type) ? "allowed" : "denied"}`);
    expect(decided).toEqual(expected);
  });

  it("lets an operator cancel their own run but not someone else's", async () => {
    await given({ name: "operator", grants: [{ role: "operator" }], allowed: OPERATOR });
    const others = await othersRun();
    const theirs = await as(LIN, `/orchestrate cancel ${others}`);
    expect(theirs.outcome.outcome).toBe("denied");
    const mine = await as(LIN, "/orchestrate run slow", false);
    const id = mine.outcome.result?.type === "workflow.run" ? mine.outcome.result.execution.id : "";
    const cancelled = await as(LIN, `/orchestrate cancel ${id}`);
    expect(cancelled.outcome.outcome).toBe("ok");
    expect(cancelled.row).toMatchObject({ outcome: "ok", commandType: "execution.cancel" });
    await app.orchestrator.handle({ type: "execution.cancel", execution: others }, adminContext());
  });
});

function adminContext() {
  return {
    actor: { id: "ada", name: "Ada", platform: "console", owner: true },
    origin: { platform: "console", workspace: null, channel: null, thread: null },
    permission: { permitted: new Set(COMMAND_TYPES), ownRunsOnly: false, roles: ["admin"] },
  };
}
