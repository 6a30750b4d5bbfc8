import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { App } from "../../src/app.js";
import { SlackFrontEnd } from "../../src/bot/slack/slack-front-end.js";
import type { Clock } from "../../src/clock.js";
import { silentLogger } from "../../src/logger.js";
import { startTestApp } from "./app.js";
import { tempDir } from "./cleanup.js";
import type { TestDatabase } from "./databases.js";
import { FakeSlack } from "./fake-slack.js";
import { SIGNING_SECRET } from "./fake-slack-requests.js";

/** Workflows for Slack tests: `gate` waits for an approval only UGRACE may give, `oncall-gate` for the S0ONCALL user group's. */
export function slackWorkflows(): string {
  const dir = tempDir("slack-workflows");
  writeFileSync(
    join(dir, "gate.yaml"),
    [
      "name: gate",
      "steps:",
      "  - id: confirm",
      "    approval:",
      "      prompt: Ship it?",
      "      approvers: [slack:UGRACE]",
      "  - id: ship",
      "    tool: template",
      '    with: { text: "shipped" }',
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "oncall-gate.yaml"),
    [
      "name: oncall-gate",
      "steps:",
      "  - id: confirm",
      "    approval:",
      "      prompt: Page the on-call?",
      "      approvers: [group:S0ONCALL]",
      "  - id: page",
      "    tool: template",
      '    with: { text: "paged" }',
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "hello.yaml"),
    ["name: hello", "steps:", "  - id: greet", "    tool: template", '    with: { text: "Hello!" }', ""].join("\n"),
  );
  return dir;
}

export interface SlackHarness {
  app: App;
  slack: FakeSlack;
  frontEnd: SlackFrontEnd;
  eventsUrl: string;
  /** Waits until every acked request has been dispatched and its work has settled. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Slack's Web API is down when the front-end starts (see FakeSlack.down). */
  slackDown?: FakeSlack["down"];
  /** The front-end's clock, which times its auth.test retries (default: the app's). */
  clock?: Clock;
}

/** The whole baton app with its Slack front-end, against a local fake Slack. */
export async function startSlackHarness(
  db: TestDatabase,
  mode: "http" | "socket",
  env: Record<string, string> = {},
  options: HarnessOptions = {},
): Promise<SlackHarness> {
  const slack = await new FakeSlack().start();
  slack.down = options.slackDown ?? null;
  slack.users.set("U0ADA", "Ada");
  slack.users.set("UGRACE", "Grace");
  const app = await startTestApp({
    url: db.url,
    workflowsDir: slackWorkflows(),
    env: {
      SLACK_BOT_TOKEN: "xoxb-test-token",
      SLACK_API_URL: slack.apiUrl,
      SLACK_SEND_INTERVAL_MS: "0",
      PORT: "0",
      ...(mode === "socket" ? { SLACK_APP_TOKEN: "xapp-test-token" } : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
      ...env,
    },
  });
  if (!app.config.slack) throw new Error("slack is not configured");
  const frontEnd = new SlackFrontEnd({
    config: app.config.slack,
    dispatcher: app.dispatcher,
    orchestrator: app.orchestrator,
    access: app.access,
    frontEndHealth: app.frontEndHealth,
    messages: app.messages,
    clock: options.clock ?? app.clock,
    logger: silentLogger,
    timeZone: "UTC",
  });
  await frontEnd.start();
  // As `baton start` does: grants naming Slack ids are checked against Slack.
  const unregister = app.registerDirectory("slack", frontEnd.directory);
  return {
    app,
    slack,
    frontEnd,
    eventsUrl: `http://127.0.0.1:${frontEnd.port ?? 0}/slack/events`,
    settle: async () => {
      await frontEnd.idle();
      await app.dispatcher.drain();
    },
    close: async () => {
      unregister();
      await frontEnd.stop();
      await app.dispatcher.drain();
      await app.close();
      await slack.stop();
    },
  };
}
