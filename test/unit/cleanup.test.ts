import { existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { afterFile, runFileCleanups, tempDir } from "../support/cleanup.js";

describe("test cleanup", () => {
  it("makes a baton- directory under the temp dir and removes it, contents and all", async () => {
    const dir = tempDir("cleanup");
    writeFileSync(join(dir, "baton.db"), "x");
    expect(dirname(dir)).toBe(tmpdir());
    expect(basename(dir)).toMatch(/^baton-cleanup-/);
    await runFileCleanups();
    expect(existsSync(dir)).toBe(false);
  });

  it("runs every cleanup, newest first, even after one fails, then reports the failure", async () => {
    const ran: string[] = [];
    afterFile(() => {
      ran.push("first");
    });
    afterFile(() => {
      throw new Error("database busy");
    });
    afterFile(async () => {
      ran.push("third");
    });
    await expect(runFileCleanups()).rejects.toThrow("1 test cleanup(s) failed");
    expect(ran).toEqual(["third", "first"]);
    await expect(runFileCleanups()).resolves.toBeUndefined();
  });
});
