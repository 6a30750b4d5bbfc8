import { describe, expect, it } from "vitest";
import { renderDigest } from "../../src/bot/render-digest.js";
import { periodLength, sparkDays } from "../../src/orchestrator/digest/compose-digest.js";
import type { Digest } from "../../src/orchestrator/digest/digest.js";
import { sparkline } from "../../src/orchestrator/digest/sparkline.js";

describe("sparkline", () => {
  it("scales bars to the largest value and draws zero as the floor", () => {
    expect(sparkline([0, 0, 0, 0.25, 0, 1, 0.5])).toBe("▁▁▁▃▁█▅");
    expect(sparkline([0, 0, 0])).toBe("▁▁▁");
    expect(sparkline([])).toBe("");
  });
});

describe("digest periods", () => {
  it("reads 24h, 7d and 90m, and falls back to a day", () => {
    expect(periodLength("7d")).toBe(7 * 24 * 3600_000);
    expect(periodLength("24h")).toBe(24 * 3600_000);
    expect(periodLength("90m")).toBe(90 * 60_000);
    expect(periodLength("soon")).toBe(24 * 3600_000);
    expect(periodLength(undefined)).toBe(24 * 3600_000);
  });

  it("splits the last seven days at midnight in the configured zone", () => {
    const days = sparkDays(new Date("2026-03-27T12:00:00Z"), "Europe/Berlin");
    expect(days.map((d) => d.day)).toEqual(["Sat", "Sun", "Mon", "Tue", "Wed", "Thu", "today"]);
    expect(days[6]?.start.toISOString()).toBe("2026-03-26T23:00:00.000Z");
    expect(days[0]?.start.toISOString()).toBe("2026-03-20T23:00:00.000Z");
  });
});

const digest: Digest = {
  period: { start: new Date("2026-03-26T12:00:00Z"), end: new Date("2026-03-27T12:00:00Z") },
  composedAt: new Date("2026-03-27T12:00:00Z"),
  timeZone: "UTC",
  runs: { started: 3, byStatus: { succeeded: 2, failed: 1 } },
  failures: [
    {
      id: "ex_1",
      workflowName: "deploy",
      errorCode: "http_error",
      errorMessage: "503",
      requestedBy: "ada",
      at: new Date("2026-03-27T10:00:00Z"),
    },
  ],
  approvalsWaiting: [],
  spend: { days: [], periodUsd: 0.5, weekUsd: 1.75, sparkline: "▁▃█" },
  requests: 9,
  topRequesters: [{ actorId: "ada", requests: 9 }],
  undelivered: [],
  troubledFires: [],
  lastRun: null,
  budgets: { day: "2026-03-27", standings: [] },
  feedback: { awaiting: 0, oldest: [] },
  patterns: [],
  activeAgents: 0,
};

describe("renderDigest", () => {
  it("puts failures first and warns when a run failed", () => {
    const reply = renderDigest(digest, { now: digest.composedAt, timeZone: "UTC" });
    expect(reply.tone).toBe("warning");
    expect(reply.blocks.map((b) => b.type)).toEqual(["header", "context", "section", "list", "fields"]);
    expect(reply.text).toContain("3 run(s) started, 2 succeeded, 1 failed (ex_1).");
    expect(reply.text).toContain("LLM spend 7 days ▁▃█ $1.7500.");
  });
});

describe("ConsolePublisher", () => {
  it("prints a post under its channel once per idempotency key", async () => {
    const { PassThrough } = await import("node:stream");
    const { ConsolePublisher } = await import("../../src/bot/console/console-publisher.js");
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
    });
    const { ConsoleScreen } = await import("../../src/bot/console/console-screen.js");
    const publisher = new ConsolePublisher(new ConsoleScreen(output, false));
    const reply = renderDigest(digest, { now: digest.composedAt, timeZone: "UTC" });
    const first = await publisher.publish("ops", reply, { idempotencyKey: "k1" });
    const again = await publisher.publish("ops", reply, { idempotencyKey: "k1" });
    const other = await publisher.publish("ops", reply, { idempotencyKey: "k2" });
    expect([first.id, again.id, other.id]).toEqual(["console-1", "console-1", "console-2"]);
    expect(printed.split("── to #ops ──").length - 1).toBe(2);
    expect(printed).toContain("baton digest");
  });
});
