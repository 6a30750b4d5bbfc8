import type { Clock } from "../../clock.js";
import type { Logger } from "../../logger.js";
import type { Backoff, ConnectionWatcher } from "../platform-connection.js";
import { PlatformConnection } from "../platform-connection.js";

/**
 * `auth.test` must succeed before the Slack front-end counts as started. Bolt caches its auth.test
 * result, a failed one included, and then drops every request; so baton runs auth.test itself
 * (App `deferInitialization`, then `App#init`) and retries it until Slack answers.
 * @see https://tools.slack.dev/bolt-js/reference#app-options (deferInitialization)
 */
export function slackConnection(deps: {
  /** One try at auth.test (Bolt's `App#init`). */
  verify: () => Promise<void>;
  watcher: ConnectionWatcher;
  clock: Clock;
  logger: Logger;
  backoff?: Backoff;
}): PlatformConnection {
  return new PlatformConnection({ ...deps, name: "slack api", isRefusal, describe: describeFailure });
}

/** Slack answered and said no (invalid_auth, account_inactive…): retrying the same token will not help. */
function isRefusal(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "slack_webapi_platform_error";
}

function describeFailure(error: unknown): string {
  const coded = error as { code?: unknown; statusCode?: unknown; original?: { code?: unknown } } | null;
  if (coded?.code === "slack_webapi_http_error") return `HTTP ${String(coded.statusCode)} from Slack's API`;
  if (coded?.code === "slack_webapi_request_error" && coded.original?.code) {
    return `no answer from Slack's API (${String(coded.original.code)})`;
  }
  return error instanceof Error ? error.message : String(error);
}
