import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { consoleLog } from "../../src/bot/console/console-log.js";
import { tempDir } from "../support/cleanup.js";

function screen() {
  const printed: string[] = [];
  return { printed, print: (text: string) => printed.push(text) };
}

describe("the console's log (issue 15: never over the prompt)", () => {
  it("writes JSON lines to the file and shows only warnings and errors, as one readable line", () => {
    const path = join(tempDir("console-log"), "nested", "baton.log");
    const shown = screen();
    const log = consoleLog(path, "info", shown);
    log.logger.info("workflow version saved", { workflow: "hello" });
    log.logger.warn("could not deliver a digest", { error: new Error("channel_not_found") });
    log.logger.error("database gone");
    log.close();
    const lines = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ["info", "workflow version saved"],
      ["warn", "could not deliver a digest"],
      ["error", "database gone"],
    ]);
    expect(shown.printed).toEqual(["⚠ could not deliver a digest: channel_not_found", "❌ database gone"]);
    expect(log.notice).toBe(`Logs go to ${path}.`);
  });

  it("says so and keeps showing warnings when the file cannot be opened", () => {
    const dir = tempDir("console-log");
    mkdirSync(join(dir, "is-a-directory"));
    const shown = screen();
    const log = consoleLog(join(dir, "is-a-directory"), "debug", shown);
    log.logger.info("not shown");
    log.logger.warn("shown");
    expect(shown.printed).toEqual(["⚠ shown"]);
    expect(log.notice).toMatch(/could not be opened \(.+\); warnings and errors are shown here\.$/);
  });
});
