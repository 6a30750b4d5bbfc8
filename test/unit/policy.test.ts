import { describe, expect, it } from "vitest";
import { Policy, SPENDS_LLM } from "../../src/bot/policy.js";
import { COMMAND_SPECS, COMMAND_TYPES, type Command } from "../../src/commands/commands.js";

const ada = { id: "U1", name: "Ada", platform: "slack" };
const lin = { id: "U2", name: "Lin", platform: "slack" };

const read: Command = { type: "status" };
const write: Command = { type: "workflow.run", workflow: "hello", input: {} };
const destructive: Command[] = [
  { type: "execution.cancel", execution: "ex_1" },
  { type: "orchestrator.mode", mode: "paused" },
  { type: "schedule.delete", schedule: "sc_1" },
  { type: "workflow.rollback", workflow: "hello", version: 1 },
];

describe("Policy", () => {
  it("opens everything to everyone when no admins are listed, confirming destructive commands", () => {
    const policy = new Policy([]);
    expect(policy.decide(read, lin)).toEqual({ allowed: true, needsConfirmation: false });
    expect(policy.decide(write, lin)).toEqual({ allowed: true, needsConfirmation: false });
    for (const command of destructive)
      expect(policy.decide(command, lin)).toEqual({ allowed: true, needsConfirmation: true });
  });

  it("limits state changes to admins when admins are listed", () => {
    const policy = new Policy(["slack:U1"]);
    expect(policy.decide(read, lin)).toEqual({ allowed: true, needsConfirmation: false });
    expect(policy.decide(write, lin)).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/Only baton admins/),
    });
    expect(policy.decide(destructive[0] as Command, lin).allowed).toBe(false);
    expect(policy.decide(write, ada)).toEqual({ allowed: true, needsConfirmation: false });
    expect(policy.decide(destructive[0] as Command, ada)).toEqual({ allowed: true, needsConfirmation: true });
  });

  it("matches platform-qualified entries on that platform only, and bare ids on any", () => {
    const policy = new Policy(["discord:U1", "u2"]);
    expect(policy.isAdmin(ada)).toBe(false);
    expect(policy.isAdmin({ ...ada, platform: "discord" })).toBe(true);
    expect(policy.isAdmin(lin)).toBe(true);
  });

  it("treats other mode changes as plain writes", () => {
    expect(new Policy([]).decide({ type: "orchestrator.mode", mode: "continuous" }, lin)).toEqual({
      allowed: true,
      needsConfirmation: false,
    });
  });

  it("treats ask, and every command that can call an LLM, as state-changing", () => {
    const policy = new Policy(["slack:U1"]);
    const ask: Command = { type: "ask", question: "why did the deploy fail?" };
    expect(policy.decide(ask, lin)).toEqual({
      allowed: false,
      reason:
        "Only baton admins may run `ask` (it spends LLM budget); ask one of them, or run a read-only command such as `/orchestrate status`.",
    });
    expect(policy.decide(ask, ada)).toEqual({ allowed: true, needsConfirmation: false });
    for (const type of SPENDS_LLM) expect(COMMAND_SPECS[type].access, type).not.toBe("read");
  });

  it("keeps help, status, history and the list and show commands open to everyone", () => {
    const policy = new Policy(["slack:U1"]);
    const reads = COMMAND_TYPES.filter((type) => COMMAND_SPECS[type].access === "read");
    expect(reads.sort()).toEqual(
      [
        "help",
        "status",
        "history",
        "workflow.list",
        "workflow.show",
        "execution.list",
        "execution.show",
        "agent.list",
        "schedule.list",
        "budget.show",
      ].sort(),
    );
    for (const type of reads) expect(SPENDS_LLM.has(type), type).toBe(false);
    expect(policy.decide({ type: "help" }, lin)).toEqual({ allowed: true, needsConfirmation: false });
    expect(policy.decide({ type: "agent.list" }, lin)).toEqual({ allowed: true, needsConfirmation: false });
  });
});
