import { describe, expect, it } from "vitest";
import { inputTooLong, textForAudit } from "../../src/bot/input-limit.js";

describe("inputTooLong", () => {
  it("lets text up to the limit through and names both numbers for longer text", () => {
    expect(inputTooLong("a".repeat(4000), 4000)).toBeNull();
    expect(inputTooLong("a".repeat(100_000), 4000)).toBe(
      "That message is 100,000 characters; baton reads at most 4,000, so shorten it and send it again.",
    );
  });
});

describe("textForAudit", () => {
  it("stores text within the limit as it is", () => {
    expect(textForAudit("run hello name=Ada", 4000)).toBe("run hello name=Ada");
  });

  it("clips an over-long text at the last whole word before the limit and says so", () => {
    const text = `run hello token=xoxb-${"1".repeat(20)} ${"word ".repeat(30)}`;
    const stored = textForAudit(text, 30);
    expect(stored).toBe(`run hello … [clipped for storage: ${text.length} characters in all]`);
    expect(stored).not.toContain("xoxb-1");
  });

  it("keeps nothing of one endless word but the note (half a token could slip past redaction)", () => {
    expect(textForAudit("x".repeat(50_000), 4000)).toBe(" … [clipped for storage: 50,000 characters in all]");
  });
});
