import type { Clock, Timer } from "../../clock.js";
import type { SlackConfig } from "../../config-slack.js";
import { BatonError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { Dispatcher } from "../dispatch.js";
import type { SlackFrontEndDeps } from "./slack-front-end.js";
import { SlackFrontEnd } from "./slack-front-end.js";

const START_TIMEOUT_MS = 30_000;

/**
 * Starts the Slack front-end for `baton start`. One that cannot start (bad token, port taken, a
 * socket that never connects) stops baton with one sentence instead of hanging; a Slack API that
 * cannot be reached is retried in the background, and "started" is logged once it answers.
 */
export async function startSlack(
  slack: SlackConfig,
  app: Pick<SlackFrontEndDeps, "orchestrator" | "access" | "frontEndHealth" | "messages" | "http"> & {
    dispatcher: Dispatcher;
    clock: Clock;
    logger: Logger;
    timeZone: string;
    close(): Promise<void>;
  },
): Promise<SlackFrontEnd> {
  const frontEnd = new SlackFrontEnd({ ...app, config: slack });
  let timer: Timer | undefined;
  // Socket Mode keeps retrying apps.connections.open when Slack cannot be reached; do not hang forever.
  const timeout = new Promise<never>((_, reject) => {
    timer = app.clock.setTimeout(
      () => reject(new Error(`no connection after ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([frontEnd.start(), timeout]);
  } catch (error) {
    await frontEnd.stop();
    await app.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new BatonError(
      "unavailable",
      `Slack did not start (${reason}); check SLACK_BOT_TOKEN, and SLACK_APP_TOKEN or SLACK_SIGNING_SECRET and PORT.`,
      { cause: error },
    );
  } finally {
    timer?.cancel();
  }
  const started = () => app.logger.info("slack front-end started", { mode: frontEnd.describe() });
  if (frontEnd.isStarted) {
    started();
  } else {
    // auth.test failed for want of an answer: baton keeps trying (status shows it) and serves 503 meanwhile.
    app.logger.warn("slack front-end waiting for Slack's API; retrying with backoff", { mode: frontEnd.describe() });
    frontEnd.started.then(started, () => undefined);
  }
  return frontEnd;
}
