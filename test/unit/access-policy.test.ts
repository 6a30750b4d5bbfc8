import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CommandPattern, parseCommandPattern } from "../../src/commands/access/command-pattern.js";
import { allowedTypes, decideAccess, type Holder } from "../../src/commands/access/evaluate.js";
import type { Grant } from "../../src/commands/access/grants.js";
import { RoleBook } from "../../src/commands/access/roles.js";
import { COMMAND_SPECS, COMMAND_TYPES, type Command, type CommandType } from "../../src/commands/commands.js";
import { SPENDS_LLM } from "../../src/commands/spending.js";
import { loadConfig } from "../../src/config.js";
import { loadRolesFile } from "../../src/config-roles.js";
import { tempDir } from "../support/cleanup.js";

const lin: Holder = {
  accounts: ["slack:U2"],
  groups: [],
  groupError: null,
  groupPlatforms: ["slack"],
  configuredAdmin: null,
};

let nextId = 1;
function grant(role: string, scope: Partial<Pick<Grant, "channel" | "workflow" | "subject">> = {}): Grant {
  return {
    id: nextId++,
    subject: scope.subject ?? { kind: "person", account: "slack:U2" },
    role,
    channel: scope.channel ?? null,
    workflow: scope.workflow ?? null,
    grantedBy: "slack:U1",
    grantedAt: new Date(0),
  };
}

function pattern(text: string): CommandPattern {
  const parsed = parseCommandPattern(text);
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
}

/** One command of every type, so the table's every entry is decided. */
const SAMPLE: { [T in CommandType]: Command } = {
  help: { type: "help" },
  status: { type: "status" },
  history: { type: "history" },
  "workflow.list": { type: "workflow.list" },
  "workflow.show": { type: "workflow.show", workflow: "healthcheck" },
  "workflow.run": { type: "workflow.run", workflow: "healthcheck", input: {} },
  "workflow.rollback": { type: "workflow.rollback", workflow: "healthcheck", version: 1 },
  "execution.list": { type: "execution.list" },
  "execution.show": { type: "execution.show", execution: "ex_1" },
  "execution.approve": { type: "execution.approve", execution: "ex_1" },
  "execution.reject": { type: "execution.reject", execution: "ex_1" },
  "execution.cancel": { type: "execution.cancel", execution: "ex_1" },
  ask: { type: "ask", question: "why?" },
  "agent.list": { type: "agent.list" },
  "agent.spawn": { type: "agent.spawn", specialty: "sre" },
  "agent.retire": { type: "agent.retire", agent: "ag_1" },
  "orchestrator.step": { type: "orchestrator.step" },
  "orchestrator.mode": { type: "orchestrator.mode", mode: "continuous" },
  "schedule.list": { type: "schedule.list" },
  "schedule.create": { type: "schedule.create", cron: "0 9 * * *", action: "digest" },
  "schedule.delete": { type: "schedule.delete", schedule: "sc_1" },
  digest: { type: "digest" },
  "budget.show": { type: "budget.show" },
  "budget.set": { type: "budget.set", scope: "global", limits: { max_daily_cost_usd: 1 } },
  improve: { type: "improve", feedback: "too slow" },
  "access.grant": { type: "access.grant", subject: "<@U2>", role: "operator" },
  "access.revoke": { type: "access.revoke", subject: "<@U2>", role: "operator" },
  "access.show": { type: "access.show" },
  "access.whoami": { type: "access.whoami" },
  "identity.link": { type: "identity.link" },
  "identity.unlink": { type: "identity.unlink" },
  "proposal.list": { type: "proposal.list" },
  "token.create": { type: "token.create" },
  "token.list": { type: "token.list" },
  "token.revoke": { type: "token.revoke", token: 1 },
};

const OPERATOR_EXTRA: CommandType[] = ["workflow.run", "execution.cancel", "ask", "agent.spawn", "improve"];
const APPROVER_EXTRA: CommandType[] = ["execution.approve", "execution.reject"];

/** Linking one's own accounts is open to everyone (README "Permissions", one identity). */
const SELF: CommandType[] = ["identity.link", "identity.unlink", "token.create", "token.list", "token.revoke"];

function expected(role: string, type: CommandType): boolean {
  const read = COMMAND_SPECS[type].access === "read" || SELF.includes(type);
  if (role === "admin") return true;
  if (role === "operator") return read || OPERATOR_EXTRA.includes(type);
  if (role === "approver") return read || APPROVER_EXTRA.includes(type);
  return read;
}

describe("the access policy", () => {
  const book = new RoleBook();
  const decide = (grants: Grant[], command: Command, channel: string | null = "C_OPS", holder = lin) =>
    decideAccess({ book, grants, holder, channel }, command);

  it("decides every command type for every built-in role as documented", () => {
    for (const role of ["none", "viewer", "operator", "approver", "admin"])
      for (const type of COMMAND_TYPES) {
        const grants = role === "none" ? [] : [grant(role)];
        expect(decide(grants, SAMPLE[type]).allowed, `${role} × ${type}`).toBe(expected(role, type));
      }
  });

  it("lets operators cancel only their own runs, admins anyone's", () => {
    expect(decide([grant("operator")], SAMPLE["execution.cancel"])).toMatchObject({ allowed: true, ownRunsOnly: true });
    expect(decide([grant("admin")], SAMPLE["execution.cancel"])).toMatchObject({ allowed: true, ownRunsOnly: false });
  });

  it("keeps /improve proposals for admins: approvers answer runs only", () => {
    const proposal: Command = { type: "execution.approve", execution: "imp_3" };
    expect(decide([grant("approver")], proposal).allowed).toBe(false);
    expect(decide([grant("approver")], SAMPLE["execution.approve"]).allowed).toBe(true);
  });

  it("applies a channel-scoped grant in that channel only", () => {
    const grants = [grant("operator", { channel: "C_OPS" })];
    expect(decide(grants, SAMPLE["workflow.run"], "C_OPS").allowed).toBe(true);
    expect(decide(grants, SAMPLE["workflow.run"], "C_GENERAL").allowed).toBe(false);
  });

  it("applies a workflow-scoped grant to that workflow only", () => {
    const grants = [grant("operator", { workflow: "healthcheck" })];
    expect(decide(grants, SAMPLE["workflow.run"]).allowed).toBe(true);
    expect(decide(grants, { type: "workflow.run", workflow: "deploy", input: {} }).allowed).toBe(false);
  });

  it("lets the most specific grant win, so a channel grant can narrow an admin", () => {
    const grants = [grant("admin"), grant("viewer", { channel: "C_GENERAL" })];
    expect(decide(grants, SAMPLE["budget.set"], "C_OPS").allowed).toBe(true);
    expect(decide(grants, SAMPLE["budget.set"], "C_GENERAL")).toMatchObject({ allowed: false, roles: ["viewer"] });
  });

  it("adds up grants of the same specificity, from a person and their groups alike", () => {
    const grants = [grant("operator"), grant("approver", { subject: { kind: "group", group: "slack:S_ONCALL" } })];
    const inGroup = { ...lin, groups: ["slack:S_ONCALL"] };
    expect(decide(grants, SAMPLE["execution.approve"], "C_OPS", inGroup).allowed).toBe(true);
    expect(decide(grants, SAMPLE["workflow.run"], "C_OPS", inGroup).allowed).toBe(true);
    expect(decide(grants, SAMPLE["execution.approve"], "C_OPS", lin).allowed).toBe(false);
  });

  it("denies when a group grant could have decided but the groups could not be read", () => {
    const grants = [grant("operator", { subject: { kind: "group", group: "slack:S_ONCALL" } })];
    const unknown = { ...lin, groupError: "Slack answered ratelimited" };
    expect(decide(grants, SAMPLE["workflow.run"], "C_OPS", unknown)).toMatchObject({
      allowed: false,
      groupError: "Slack answered ratelimited",
    });
    expect(decide([], SAMPLE.status, "C_OPS", unknown).allowed).toBe(true);
  });

  it("treats grants on any linked account as the person's", () => {
    const linked = { ...lin, accounts: ["slack:U2", "discord:42"] };
    const grants = [grant("operator", { subject: { kind: "person", account: "discord:42" } })];
    expect(decide(grants, SAMPLE["workflow.run"], "C_OPS", linked).allowed).toBe(true);
    expect(decide(grants, SAMPLE["workflow.run"], "C_OPS", lin).allowed).toBe(false);
  });

  it("makes the owner and BATON_ADMINS admins that no grant narrows", () => {
    const owner = { ...lin, configuredAdmin: "owner" as const };
    expect(decide([grant("viewer", { channel: "C_OPS" })], SAMPLE["budget.set"], "C_OPS", owner).allowed).toBe(true);
  });

  it("names the roles that would allow a refused command", () => {
    expect(decide([], SAMPLE["workflow.run"])).toMatchObject({ allowed: false, wouldAllow: ["operator", "admin"] });
  });

  it("lists for help and the router only the types a holder may run here", () => {
    const viewer = allowedTypes({ book, grants: [], holder: lin, channel: "C_OPS" });
    expect([...viewer].every((type) => COMMAND_SPECS[type].access === "read" || SELF.includes(type))).toBe(true);
    const scoped = allowedTypes({
      book,
      grants: [grant("operator", { workflow: "healthcheck" })],
      holder: lin,
      channel: "C_OPS",
    });
    expect(scoped.has("workflow.run")).toBe(true);
    expect(scoped.has("budget.set")).toBe(false);
  });

  it("matches custom roles by type, family, class and narrowed workflow", () => {
    const custom = new RoleBook([
      { name: "runner", description: "", builtIn: false, allow: [pattern("workflow.run:healthcheck")] },
      { name: "execs", description: "", builtIn: false, allow: [pattern("execution.*")] },
      { name: "spender", description: "", builtIn: false, allow: [pattern("spend")] },
    ]);
    const as = (role: string, command: Command) =>
      decideAccess({ book: custom, grants: [grant(role)], holder: lin, channel: null }, command).allowed;
    expect(as("runner", SAMPLE["workflow.run"])).toBe(true);
    expect(as("runner", { type: "workflow.run", workflow: "deploy", input: {} })).toBe(false);
    expect(as("execs", SAMPLE["execution.cancel"])).toBe(true);
    expect(as("execs", SAMPLE["workflow.run"])).toBe(false);
    for (const type of COMMAND_TYPES)
      expect(as("spender", SAMPLE[type]), type).toBe(SPENDS_LLM.has(type) || SELF.includes(type));
  });
});

describe("BATON_ROLES_FILE", () => {
  const write = (text: string) => {
    const file = join(tempDir("roles"), "roles.yaml");
    writeFileSync(file, text);
    return file;
  };

  it("loads custom roles with extends and patterns", () => {
    const file = write(
      "roles:\n  deployer:\n    description: runs deploys\n    extends: [viewer]\n    allow: [workflow.run:deploy, execution.cancel:own]\n",
    );
    const { roles, problems } = loadRolesFile(file);
    expect(problems).toEqual([]);
    expect(roles.map((role) => role.name)).toEqual(["deployer"]);
    expect(roles[0]?.allow).toHaveLength(3);
  });

  it("stops start-up naming the file and the field of a bad pattern", () => {
    const file = write("roles:\n  deployer:\n    allow: [workflow.run, executions.*]\n");
    expect(() => loadConfig({ BATON_ROLES_FILE: file })).toThrow(
      `BATON_ROLES_FILE: ${file}: roles.deployer.allow[1]: "executions.*" names no command family`,
    );
  });

  it("refuses a custom role that redefines a built-in one, and an unreadable file", () => {
    expect(loadRolesFile(write("roles:\n  admin:\n    allow: [read]\n")).problems[0]).toContain(
      "roles.admin: admin is a built-in role",
    );
    expect(loadRolesFile("/nonexistent/roles.yaml").problems[0]).toMatch(
      /^BATON_ROLES_FILE: \/nonexistent\/roles.yaml cannot be read/,
    );
  });
});
