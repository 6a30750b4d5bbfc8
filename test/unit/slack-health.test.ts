import { describe, expect, it } from "vitest";
import { SlackHealth } from "../../src/bot/slack/slack-health.js";
import { FakeClock } from "../support/fake-clock.js";

describe("SlackHealth", () => {
  it("says when the last event arrived, and that a reconnecting socket is not healthy", () => {
    const clock = new FakeClock(Date.parse("2026-03-27T07:00:00Z"));
    const health = new SlackHealth(clock, "socket");
    expect(health.describe()).toBe("slack: connecting the socket");
    health.connected();
    expect(health.describe()).toBe("slack: connected, no events yet");
    health.event();
    clock.advance(12_000);
    expect(health.describe()).toBe("slack: events arriving (last 12 s ago)");
    health.reconnecting();
    clock.advance(3 * 60_000);
    expect(health.describe()).toBe("slack: reconnecting the socket (events: last 3 min 12 s ago)");
    health.connected();
    health.stopped();
    health.reconnecting();
    expect(health.describe()).toBe("slack: stopped");
  });

  it("in HTTP mode there is no socket: listening until requests come", () => {
    const health = new SlackHealth(new FakeClock(0), "http");
    expect(health.describe()).toBe("slack: listening, no events yet");
  });
});
