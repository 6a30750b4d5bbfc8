import { describe, expect, it } from "vitest";
import { confirmationQuestion, describeCommand } from "../../src/commands/commands.js";
import { toGrammar } from "../../src/routing/rules-grammar.js";

/** Issue 15: confirmations in words, never raw JSON. */
describe("commands in words", () => {
  it("says a run as a sentence", () => {
    expect(describeCommand({ type: "workflow.run", workflow: "hello", input: { name: "Ada Lovelace" } })).toBe(
      'Run hello with name="Ada Lovelace"',
    );
    expect(describeCommand({ type: "workflow.run", workflow: "hello", input: {} })).toBe("Run hello");
  });

  it("says any other command by what it does and how it is typed", () => {
    const command = { type: "budget.set", scope: "global", limits: { max_daily_cost_usd: 20 } } as const;
    expect(confirmationQuestion(command, toGrammar(command))).toBe(
      "Change a budget (admins): `/orchestrate budget set global max_daily_cost_usd=20`, as I understood your message?",
    );
    expect(confirmationQuestion({ type: "status" })).not.toMatch(/[{}]/);
  });
});

describe("help text", () => {
  it("lists /improve as its own command, never as /orchestrate /improve", async () => {
    const { renderResult } = await import("../../src/bot/render.js");
    const reply = renderResult(
      {
        type: "help",
        entries: [{ usage: "/improve <feedback>", summary: "Feedback on your last run." }],
        restricted: false,
        roles: [],
      } as never,
      { now: new Date(), timeZone: "UTC" },
    );
    expect(reply.text).toContain("\n/improve <feedback> — Feedback on your last run.");
    expect(reply.text).not.toContain("/orchestrate /improve");
  });
});
