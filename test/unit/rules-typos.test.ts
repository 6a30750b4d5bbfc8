import { describe, expect, it } from "vitest";
import { withTyposFixed } from "../../src/routing/rules-typos.js";

describe("slips on cue words (issue 15: an offline router that generalizes)", () => {
  it("fixes a word one slip from exactly one cue, and catalog names too", () => {
    expect(withTyposFixed("pause the orchestartor")).toBe("pause the orchestrator");
    expect(withTyposFixed("exections")).toBe("executions");
    expect(withTyposFixed("lnik ABCD-EFGH")).toBe("link ABCD-EFGH");
    expect(withTyposFixed("start a healtcheck", ["healthcheck", "hello"])).toBe("start a healthcheck");
  });

  it("leaves cues, their other forms, common words, ids and short words as typed", () => {
    for (const text of [
      "list the specialists",
      "ag_3 can be retired now",
      "ask about rate limits later",
      "run hello for Tom",
      "show ex_abcd1234",
      "stop the step",
    ])
      expect(withTyposFixed(text)).toBe(text);
  });

  it("takes time linear in the text, whatever it holds", () => {
    const long = "orchestartor ".repeat(5000);
    expect(withTyposFixed(long).startsWith("orchestrator orchestrator")).toBe(true);
    expect(withTyposFixed("x".repeat(100_000))).toBe("x".repeat(100_000));
  });
});
