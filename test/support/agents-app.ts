import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type App, createApp } from "../../src/app.js";
import type { Clock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/logger.js";
import { FAKE_PLATFORM_ADMINS } from "./app.js";
import { tempDir } from "./cleanup.js";
import { WORKFLOWS_DIR } from "./cli.js";

/** A whole app (as test/support/app.ts builds one) with an injectable clock. */
export async function startAgentsApp(options: {
  url: string;
  env?: Record<string, string>;
  clock?: Clock;
  workflowsDir?: string;
}): Promise<App> {
  const config = loadConfig({
    DATABASE_URL: options.url,
    BATON_WORKFLOWS_DIR: options.workflowsDir ?? WORKFLOWS_DIR,
    LOG_LEVEL: "silent",
    BATON_ADMINS: FAKE_PLATFORM_ADMINS,
    ...options.env,
  });
  return createApp(config, silentLogger, {
    frontEnds: ["test"],
    resume: true,
    ...(options.clock && { clock: options.clock }),
  });
}

/** A workflows directory with `broken`, whose only step fails: GET `input.url` must answer 2xx. */
export function workflowsWithBrokenOne(): string {
  const dir = tempDir("agents-wf");
  const lines = [
    "name: broken",
    "description: Always fails.",
    "inputs:",
    "  url: { required: true }",
    "steps:",
    "  - id: fetch",
    "    tool: http.get",
    '    with: { url: "{{ input.url }}", failOnStatus: true }',
  ];
  writeFileSync(join(dir, "broken.yaml"), `${lines.join("\n")}\n`);
  return dir;
}
