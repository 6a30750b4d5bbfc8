import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const STAMP = fileURLToPath(new URL("../../dist/.build-stamp.json", import.meta.url));

/** Issue 15: build once. The integration setup has just built dist/ through the same script. */
describe("scripts/build.mjs", () => {
  it("does nothing when src/ has not changed since the last build", () => {
    const before = statSync(STAMP).mtimeMs;
    const stamp = JSON.parse(readFileSync(STAMP, "utf8")) as { paths: string; contents: string };
    const run = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT, encoding: "utf8" });
    // No "Building baton…": tsc never ran.
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
      status: 0,
      stdout: "",
      stderr: "",
    });
    expect(statSync(STAMP).mtimeMs).toBe(before);
    expect(stamp.paths).toMatch(/^[0-9a-f]{64}$/);
    expect(stamp.contents).toMatch(/^[0-9a-f]{64}$/);
  });
});
