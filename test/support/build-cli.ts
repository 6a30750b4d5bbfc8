import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Vitest global setup for the integration project: compiles src/ to dist/ once (what `npm start`
 * runs), so every test that spawns the real CLI starts `bin/baton.js` as an operator would, instead
 * of transforming all of src through tsx again in each child process.
 */
export default function buildCli(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "pipe" });
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
    throw new Error(`The integration tests could not build the CLI (tsc -p tsconfig.build.json):\n${output}`);
  }
}
