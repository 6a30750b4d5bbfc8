import { describe, expect, it } from "vitest";
import { Policy } from "../../src/bot/policy.js";
import type { Command } from "../../src/orchestrator/commands.js";

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
});
