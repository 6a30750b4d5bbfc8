import { describe, expect, it } from "vitest";
import type { Actor } from "../../src/commands/context.js";
import { listed } from "../../src/orchestrator/approvals.js";

const LIN: Actor = {
  id: "U0LIN",
  name: "lin",
  platform: "slack",
  groups: ["S0ONCALL"],
  person: "discord:42",
  accounts: ["discord:42", "slack:U0LIN", "console:l1n"],
};

describe("approver lists", () => {
  it("name people by id, linked account, role or platform group — never by display name", () => {
    expect(listed(["slack:U0LIN"], LIN)).toBe(true);
    expect(listed(["U0LIN"], LIN)).toBe(true);
    expect(listed(["discord:42"], LIN)).toBe(true);
    expect(listed(["console:l1n"], LIN)).toBe(true);
    expect(listed(["discord:43"], LIN)).toBe(false);
    expect(listed(["lin"], LIN)).toBe(false);
    expect(listed(["role:approver"], LIN, ["approver"])).toBe(true);
    expect(listed(["role:approver"], LIN, ["viewer"])).toBe(false);
    expect(listed(["group:S0ONCALL"], LIN)).toBe(true);
    expect(listed(["group:slack:S0ONCALL"], LIN)).toBe(true);
    expect(listed(["group:discord:S0ONCALL"], LIN)).toBe(false);
    expect(listed(["group:S0OTHER", "role:admin"], LIN, ["operator"])).toBe(false);
  });
});
