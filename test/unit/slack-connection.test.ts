import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_BACKOFF } from "../../src/bot/platform-connection.js";
import { slackConnection } from "../../src/bot/slack/slack-connection.js";
import { silentLogger } from "../../src/logger.js";
import { FakeClock } from "../support/fake-clock.js";

const platformError = (error: string) =>
  Object.assign(new Error(`An API error occurred: ${error}`), { code: "slack_webapi_platform_error" });
const httpError = () => Object.assign(new Error("HTTP 503"), { code: "slack_webapi_http_error", statusCode: 503 });

/** verify() fails with each of `failures` in turn, then succeeds. */
function connectionFailing(failures: Error[]) {
  const seen: string[] = [];
  const clock = new FakeClock();
  const connection = slackConnection({
    verify: async () => {
      const next = failures.shift();
      if (next) throw next;
    },
    watcher: {
      unreachable: (f) => seen.push(`${f.attempts}: ${f.reason} (${f.retryInMs} ms)`),
      verified: () => seen.push("verified"),
    },
    clock,
    logger: silentLogger,
  });
  return { connection, seen, clock };
}

describe("auth.test retries", () => {
  it("back off exponentially from 1 s and never wait more than a minute", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => backoffDelay(n, DEFAULT_BACKOFF));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it("retries an unreachable Slack until it answers, reporting each failure", async () => {
    const { connection, seen, clock } = connectionFailing([httpError(), httpError(), httpError()]);
    expect(await connection.start()).toBe(false);
    await clock.passSleeps(3);
    await connection.whenVerified;
    expect(connection.verified).toBe(true);
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
    expect(seen).toEqual([
      "1: HTTP 503 from Slack's API (1000 ms)",
      "2: HTTP 503 from Slack's API (2000 ms)",
      "3: HTTP 503 from Slack's API (4000 ms)",
      "verified",
    ]);
  });

  it("throws when Slack refuses the token on the first try", async () => {
    const { connection, seen } = connectionFailing([platformError("invalid_auth")]);
    await expect(connection.start()).rejects.toThrow("invalid_auth");
    expect(connection.verified).toBe(false);
    expect(seen).toEqual([]);
  });

  it("keeps retrying a refusal that comes after an outage (status shows it)", async () => {
    const { connection, seen, clock } = connectionFailing([httpError(), platformError("invalid_auth")]);
    expect(await connection.start()).toBe(false);
    await clock.passSleeps(2);
    await connection.whenVerified;
    expect(seen[1]).toBe("2: An API error occurred: invalid_auth (2000 ms)");
  });

  it("stops retrying once stopped", async () => {
    let tries = 0;
    const clock = new FakeClock();
    const connection = slackConnection({
      verify: async () => {
        tries += 1;
        throw httpError();
      },
      watcher: { unreachable: () => {}, verified: () => {} },
      clock,
      logger: silentLogger,
    });
    expect(await connection.start()).toBe(false);
    await clock.passSleeps(1);
    await clock.untilSleeps(2);
    connection.stop();
    clock.advance(60_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(tries).toBe(2);
    expect(clock.waiting).toBe(0);
    expect(connection.verified).toBe(false);
  });
});
