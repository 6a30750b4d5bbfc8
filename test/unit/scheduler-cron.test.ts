import { describe, expect, it } from "vitest";
import { BatonError } from "../../src/errors.js";
import {
  checkCron,
  firesBetween,
  latestFireAtOrBefore,
  nextFireAfter,
  upcomingFires,
} from "../../src/orchestrator/scheduler/cron.js";

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe("cron fire times", () => {
  it("fires at 09:00 Berlin time on weekdays, across the switch to summer time", () => {
    // Friday 27 March 2026 (CET, UTC+1), then Monday 30 March (CEST, UTC+2).
    expect(iso(upcomingFires("0 9 * * 1-5", "Europe/Berlin", new Date("2026-03-27T00:00:00Z"), 3))).toEqual([
      "2026-03-27T08:00:00.000Z",
      "2026-03-30T07:00:00.000Z",
      "2026-03-31T07:00:00.000Z",
    ]);
  });

  it("gives the same instant different wall-clock fires in different zones", () => {
    const from = new Date("2026-06-01T00:00:00Z");
    expect(nextFireAfter("0 9 * * *", "UTC", from).toISOString()).toBe("2026-06-01T09:00:00.000Z");
    expect(nextFireAfter("0 9 * * *", "America/New_York", from).toISOString()).toBe("2026-06-01T13:00:00.000Z");
    expect(nextFireAfter("0 9 * * *", "Asia/Tokyo", from).toISOString()).toBe("2026-06-02T00:00:00.000Z");
  });

  it("counts the fires missed in a window and names the latest", () => {
    const missed = firesBetween(
      "*/15 * * * *",
      "UTC",
      new Date("2026-01-01T00:00:00Z"),
      new Date("2026-01-01T02:05:00Z"),
      3,
    );
    expect(missed.count).toBe(8);
    expect(iso(missed.list)).toEqual([
      "2026-01-01T00:15:00.000Z",
      "2026-01-01T00:30:00.000Z",
      "2026-01-01T00:45:00.000Z",
    ]);
    expect(missed.latest?.toISOString()).toBe("2026-01-01T02:00:00.000Z");
  });

  it("finds nothing missed before the first fire", () => {
    const missed = firesBetween("0 9 * * *", "UTC", new Date("2026-01-01T09:00:00Z"), new Date("2026-01-01T12:00:00Z"));
    expect(missed).toEqual({ list: [], count: 0, latest: null });
  });

  it("normalises a late timer to the fire it belongs to", () => {
    expect(latestFireAtOrBefore("0 9 * * *", "UTC", new Date("2026-01-01T09:00:00.000Z"))?.toISOString()).toBe(
      "2026-01-01T09:00:00.000Z",
    );
    expect(latestFireAtOrBefore("0 9 * * *", "UTC", new Date("2026-01-01T09:00:00.950Z"))?.toISOString()).toBe(
      "2026-01-01T09:00:00.000Z",
    );
  });

  it("takes six fields (seconds first) and @daily-style shorthands", () => {
    expect(iso(upcomingFires("*/10 * * * * *", "UTC", new Date("2026-01-01T00:00:00Z"), 2))).toEqual([
      "2026-01-01T00:00:10.000Z",
      "2026-01-01T00:00:20.000Z",
    ]);
    expect(nextFireAfter("@daily", "UTC", new Date("2026-01-01T12:00:00Z")).toISOString()).toBe(
      "2026-01-02T00:00:00.000Z",
    );
  });
});

describe("checkCron", () => {
  const message = (cron: string, tz = "UTC") => {
    try {
      checkCron(cron, tz);
      return "ok";
    } catch (error) {
      expect(error).toBeInstanceOf(BatonError);
      expect((error as BatonError).code).toBe("invalid_command");
      return (error as Error).message;
    }
  };

  it("accepts valid expressions", () => {
    expect(message("0 9 * * 1-5", "Europe/Berlin")).toBe("ok");
  });

  it.each([
    ["every morning", "`every morning` is not a cron expression baton understands (it has 2 fields)"],
    ["61 * * * *", "`61 * * * *` is not a cron expression baton understands (Constraint error"],
    ["* * *", "(it has 3 fields)"],
  ])("rejects %s in one sentence", (cron, start) => {
    const text = message(cron);
    expect(text).toContain(start);
    expect(text).toContain("e.g. `0 9 * * 1-5`");
    expect(text.replace("e.g. ", "").split(". ").length).toBe(1);
  });

  it("rejects an unknown time zone", () => {
    expect(message("0 9 * * *", "Mars/Olympus")).toBe(
      "`Mars/Olympus` is not a time zone; use an IANA name such as `UTC` or `Europe/Berlin`.",
    );
  });
});
