import { describe, expect, it } from "vitest";
import { commandTextFor, decodeAction, encodeAction } from "../../src/bot/actions.js";

describe("button actions", () => {
  it("round-trips every kind through an id short enough for Discord's custom_id", () => {
    for (const action of [
      { kind: "approve", execution: "ex_12ab34cd" },
      { kind: "reject", execution: "ex_12ab34cd" },
      { kind: "confirm", token: "c_0123456789abcdef" },
      { kind: "decline", token: "c_0123456789abcdef" },
    ] as const) {
      const id = encodeAction(action);
      expect(id.length).toBeLessThanOrEqual(100);
      expect(decodeAction(id)).toEqual(action);
    }
  });

  it("ignores ids that are not baton's or are malformed", () => {
    for (const id of [
      "",
      "baton",
      "baton:approve",
      "other:approve:ex_1",
      "baton:delete:ex_1",
      "baton:approve:ex 1",
      "baton:approve:a:b",
    ]) {
      expect(decodeAction(id)).toBeNull();
    }
  });

  it("turns approve and reject clicks into the typed command", () => {
    expect(commandTextFor({ kind: "approve", execution: "ex_1" })).toBe("/orchestrate approve ex_1");
    expect(commandTextFor({ kind: "reject", execution: "ex_1" }, "too risky")).toBe(
      "/orchestrate reject ex_1 too risky",
    );
    expect(commandTextFor({ kind: "confirm", token: "c_1" })).toBeNull();
  });
});
