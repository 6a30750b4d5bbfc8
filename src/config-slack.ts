import { z } from "zod";
import { DEFAULT_PORT } from "./config-http.js";
import { millis } from "./config-numbers.js";

/** The Slack part of the environment schema; src/config.ts merges it and is still the only reader. */

export const SlackEnvShape = {
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-/, "expected a bot token starting with xoxb-")
    .optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, "expected an app-level token starting with xapp-")
    .optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, "expected the app's signing secret").optional(),
  SLACK_API_URL: z.url({ message: "expected a URL such as https://slack.com/api/" }).optional(),
  SLACK_SEND_INTERVAL_MS: millis(1000, 0, 60_000),
};

const SlackEnvSchema = z.object(SlackEnvShape);
export type SlackEnv = z.infer<typeof SlackEnvSchema>;

export interface SlackConfig {
  botToken: string;
  /** Socket Mode when set (no public URL needed); HTTP mode otherwise. */
  appToken: string | null;
  signingSecret: string | null;
  /** Every Web API call (and apps.connections.open) goes here; a local fake in tests. */
  apiUrl: string | null;
  /** HTTP mode: the one HTTP server's port (PORT), where /slack/events is served. */
  port: number;
  /** Minimum time between two writes to one channel (Slack allows about one message per second). */
  sendIntervalMs: number;
}

export function slackProblems(env: SlackEnv): string[] {
  const problems: string[] = [];
  const anySlack = env.SLACK_APP_TOKEN ?? env.SLACK_SIGNING_SECRET;
  if (anySlack && !env.SLACK_BOT_TOKEN) {
    problems.push("SLACK_BOT_TOKEN: needed with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET (the app's xoxb- bot token)");
  }
  if (env.SLACK_BOT_TOKEN && !env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
    problems.push(
      "SLACK_BOT_TOKEN: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode) as well, so Slack can reach baton",
    );
  }
  return problems;
}

/** null when Slack is not configured. */
export function buildSlackConfig(env: SlackEnv & { PORT?: number | undefined }): SlackConfig | null {
  if (!env.SLACK_BOT_TOKEN) return null;
  const apiUrl = env.SLACK_API_URL ?? null;
  return {
    botToken: env.SLACK_BOT_TOKEN,
    appToken: env.SLACK_APP_TOKEN ?? null,
    signingSecret: env.SLACK_SIGNING_SECRET ?? null,
    // The WebClient joins method names onto the URL, so it must end with a slash.
    apiUrl: apiUrl && !apiUrl.endsWith("/") ? `${apiUrl}/` : apiUrl,
    port: env.PORT ?? DEFAULT_PORT,
    sendIntervalMs: env.SLACK_SEND_INTERVAL_MS,
  };
}

/** How status names the Slack front-end. */
export function slackLabel(slack: SlackConfig): string {
  return slack.appToken ? "slack (socket mode)" : `slack (http :${slack.port}/slack/events)`;
}
