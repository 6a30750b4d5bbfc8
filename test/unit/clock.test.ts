import { describe, expect, it } from "vitest";
import { startOfDay, systemClock } from "../../src/clock.js";
import { BatonError } from "../../src/errors.js";

describe("startOfDay", () => {
  it.each([
    ["2026-11-21T12:34:56Z", "UTC", "2026-11-21T00:00:00.000Z"],
    ["2026-11-21T12:00:00Z", "America/New_York", "2026-11-21T05:00:00.000Z"],
    ["2026-11-21T03:00:00Z", "America/New_York", "2026-11-20T05:00:00.000Z"],
    // Daylight saving starts and ends in Berlin: the day still begins at its own midnight.
    ["2026-03-29T15:00:00Z", "Europe/Berlin", "2026-03-28T23:00:00.000Z"],
    ["2026-10-25T15:00:00Z", "Europe/Berlin", "2026-10-24T22:00:00.000Z"],
  ])("%s in %s starts at %s", (now, zone, expected) => {
    expect(startOfDay(new Date(now), zone).toISOString()).toBe(expected);
  });
});

describe("systemClock.sleep", () => {
  it("resolves after the time", async () => {
    await expect(systemClock.sleep(5, new AbortController().signal)).resolves.toBeUndefined();
  });

  it("rejects with the signal's reason when aborted while waiting", async () => {
    const controller = new AbortController();
    const reason = new BatonError("cancelled", "The run was cancelled.");
    const waiting = systemClock.sleep(60_000, controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const reason = new Error("shutting down");
    await expect(systemClock.sleep(60_000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
