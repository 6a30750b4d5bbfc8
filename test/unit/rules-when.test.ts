import { describe, expect, it } from "vitest";
import { cronFromWords } from "../../src/routing/rules-when.js";

describe("schedules in words (issue 15)", () => {
  it.each([
    ["every weekday at 9", "0 9 * * 1-5"],
    ["every monday at 10am", "0 10 * * 1"],
    ["each friday at 5pm", "0 17 * * 5"],
    ["every day at noon", "0 12 * * *"],
    ["nightly at 2am", "0 2 * * *"],
    ["every 30 minutes", "*/30 * * * *"],
    ["every 2 hours", "0 */2 * * *"],
    ["hourly", "0 * * * *"],
    ["every morning", "0 9 * * *"],
    ["every evening at 6", "0 18 * * *"],
    ["weekends at 8:30", "30 8 * * 0,6"],
    ["on tuesdays at 14:15", "15 14 * * 2"],
  ])("%s → %s", (words, cron) => {
    expect(cronFromWords(words)).toEqual({ cron });
  });

  it("reads nothing into words that name no repeat it can write as a cron", () => {
    for (const words of ["every other tuesday", "sometimes", "at 9", "every 90 minutes", "every day at 25"])
      expect(cronFromWords(words)).toBeNull();
  });

  it("takes time linear in the text", () => {
    expect(cronFromWords(`${"at 1 @1 every ".repeat(20_000)}x`)).toBeNull();
  });
});
