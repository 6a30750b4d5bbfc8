import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Vitest global setup for the integration project: builds dist/ when src/ changed since the last
 * build (what `npm start` runs), so every test that spawns the real CLI starts `bin/baton.js` as an
 * operator would, instead of transforming all of src through tsx again in each child process.
 */
export default function buildCli(): void {
  try {
    execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT, stdio: "pipe" });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    const output = `${stdout?.toString() ?? ""}${stderr?.toString() ?? String(error)}`;
    throw new Error(`The integration tests could not build the CLI (node scripts/build.mjs):\n${output}`);
  }
}
