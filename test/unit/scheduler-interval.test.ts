import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { checkCronInterval, shortestGapSeconds } from "../../src/orchestrator/scheduler/cron-interval.js";
import { buildSchedule } from "../../src/orchestrator/scheduler/schedule-spec.js";

const now = new Date("2026-03-27T07:00:00Z");
const request = (cron: string) => ({
  cron,
  timeZone: "UTC",
  action: "digest",
  platform: "console",
  channel: "ops",
  createdBy: "console:ada",
  source: "chat",
});

describe("how often a cron fires", () => {
  it.each([
    ["*/1 * * * * *", 1],
    ["*/30 * * * * *", 30],
    ["0 * * * * *", 60],
    ["* * * * *", 60],
    ["*/5 * * * *", 300],
    ["0,59 0,23 * * *", 60],
    ["0 9 * * 1-5", 86_400],
    ["@hourly", 3600],
    ["@daily", 86_400],
    ["0 9,17 * * *", 8 * 3600],
  ])("`%s` can fire %i s after its previous fire", (cron, gap) => {
    expect(shortestGapSeconds(cron)).toBe(gap);
  });

  it("refuses the six-field per-second cron in one sentence", () => {
    expect(() => checkCronInterval("*/1 * * * * *", 60)).toThrow(
      "`*/1 * * * * *` can fire 1 second after its previous fire, but baton runs a schedule at most once every 1 minute (BATON_SCHEDULE_MIN_INTERVAL_S); use a cron whose fires are further apart, e.g. `*/5 * * * *`.",
    );
  });

  it("holds a schedule to the configured minimum, and lets a lower one allow seconds", () => {
    expect(() => checkCronInterval("*/5 * * * *", 600)).toThrow(
      "`*/5 * * * *` can fire 5 minutes after its previous fire, but baton runs a schedule at most once every 10 minutes",
    );
    expect(() => checkCronInterval("*/30 * * * * *", 30)).not.toThrow();
    expect(() => checkCronInterval("0 9 * * 1-5", 3600)).not.toThrow();
  });

  it("is checked by buildSchedule, so chat and the schedules file both refuse it", () => {
    expect(() => buildSchedule(request("*/1 * * * * *"), now, () => false)).toThrow(/at most once every 1 minute/);
    expect(buildSchedule(request("* * * * *"), now, () => false).cron).toBe("* * * * *");
    expect(() => buildSchedule(request("* * * * *"), now, () => false, 120)).toThrow(/at most once every 2 minutes/);
  });
});

describe("egress and schedule settings in the environment", () => {
  const base = { DATABASE_URL: "sqlite::memory:" };

  it("defaults to no exceptions, 100 requests per run and one fire a minute", () => {
    const config = loadConfig(base);
    expect(config.egress).toEqual({ allow: [], maxRequestsPerRun: 100 });
    expect(config.scheduler.minIntervalS).toBe(60);
  });

  it("reads BATON_HTTP_ALLOW, BATON_HTTP_MAX_REQUESTS_PER_RUN and BATON_SCHEDULE_MIN_INTERVAL_S", () => {
    const config = loadConfig({
      ...base,
      BATON_HTTP_ALLOW: "status.internal:8080, 10.0.0.0/8",
      BATON_HTTP_MAX_REQUESTS_PER_RUN: "20",
      BATON_SCHEDULE_MIN_INTERVAL_S: "300",
    });
    expect(config.egress.allow).toEqual([
      { kind: "name", name: "status.internal", port: 8080 },
      { kind: "range", network: "10.0.0.0", prefix: 8, family: 4 },
    ]);
    expect(config.egress.maxRequestsPerRun).toBe(20);
    expect(config.scheduler.minIntervalS).toBe(300);
  });

  it("refuses to start with a bad allow entry, one sentence per entry", () => {
    let caught: unknown;
    try {
      loadConfig({ ...base, BATON_HTTP_ALLOW: "ok.internal, 10.0.0.0/99, a b" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems).toEqual([
      "BATON_HTTP_ALLOW: `10.0.0.0/99` has a prefix length that is not a number from 0 to 32.",
      "BATON_HTTP_ALLOW: `a b` is not a host, host:port or CIDR range (e.g. `api.internal`, `*.corp.example`, `10.0.0.5:8080`, `[fd00::5]:443` or `10.0.0.0/8`).",
    ]);
  });
});
