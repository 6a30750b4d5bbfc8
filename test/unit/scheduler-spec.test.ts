import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildSchedule, type ScheduleRequest } from "../../src/orchestrator/scheduler/schedule-spec.js";
import { readSchedulesFile } from "../../src/orchestrator/scheduler/schedules-file.js";
import { tempDir } from "../support/cleanup.js";

const now = new Date("2026-01-01T00:00:00Z");
const isWorkflow = (name: string) => ["healthcheck", "hello"].includes(name);
const base: ScheduleRequest = {
  cron: "0 9 * * 1-5",
  timeZone: "Europe/Berlin",
  action: "digest",
  platform: "slack",
  channel: "#ops",
  createdBy: "slack:U1",
  source: "chat",
};

describe("buildSchedule", () => {
  it("builds a digest schedule with the channel's bare name and the skip policy", () => {
    const schedule = buildSchedule(base, now, isWorkflow);
    expect(schedule).toMatchObject({
      action: "digest",
      channel: "ops",
      missedPolicy: "skip",
      enabled: true,
      timeZone: "Europe/Berlin",
    });
    expect(schedule.id).toMatch(/^sch_[0-9a-f]{16}$/);
  });

  it("reads a workflow name as workflow.run with the rest as input", () => {
    const schedule = buildSchedule(
      { ...base, action: "healthcheck", input: { urls: "https://a.example" } },
      now,
      isWorkflow,
    );
    expect(schedule).toMatchObject({
      action: "workflow.run",
      workflow: "healthcheck",
      input: { urls: "https://a.example" },
    });
  });

  it.each([
    [{ action: "launch-rockets" }, "`launch-rockets` is not something baton can schedule"],
    [{ action: "workflow.run" }, "needs the workflow to run"],
    [{ action: "workflow.run", workflow: "nope" }, "There is no workflow `nope`"],
    [{ channel: null }, "A digest schedule needs a channel"],
    [{ cron: "0 25 * * *" }, "is not a cron expression"],
    [{ timeZone: "Europe/Atlantis" }, "`Europe/Atlantis` is not a time zone"],
  ])("refuses %o with one sentence", (change, text) => {
    expect(() => buildSchedule({ ...base, ...change } as ScheduleRequest, now, isWorkflow)).toThrow(text);
  });
});

describe("readSchedulesFile", () => {
  const write = (text: string) => {
    const file = join(tempDir("schedules"), "schedules.yaml");
    writeFileSync(file, text);
    return file;
  };

  it("loads good entries and names the file and field of each bad one", async () => {
    const file = write(
      [
        "schedules:",
        "  - id: morning-digest",
        '    cron: "0 9 * * 1-5"',
        "    tz: Europe/Berlin",
        "    action: digest",
        "    platform: slack",
        "    channel: C0123",
        "    missed: run_once",
        "  - id: nightly",
        '    cron: "0 2 * * *"',
        "    action: workflow.run",
        "    workflow: healthcheck",
        "    input: { urls: https://example.com, retries: 3 }",
        "  - id: broken",
        '    cron: "0 9 * * *"',
        "    action: digest",
        "    channel: ops",
        "    missed: sometimes",
        "  - id: bad-cron",
        "    cron: whenever",
        "    action: digest",
        "    channel: ops",
        "",
      ].join("\n"),
    );
    const { schedules, problems } = await readSchedulesFile(file, { timeZone: "UTC", now, isWorkflow });
    expect(schedules.map((s) => [s.id, s.action, s.timeZone, s.missedPolicy, s.platform])).toEqual([
      ["morning-digest", "digest", "Europe/Berlin", "run_once", "slack"],
      ["nightly", "workflow.run", "UTC", "skip", "console"],
    ]);
    expect(schedules[1]?.input).toEqual({ urls: "https://example.com", retries: "3" });
    expect(problems).toEqual([
      `${file}: schedules[2].missed: expected skip or run_once`,
      expect.stringMatching(/^.*schedules\.yaml: schedules\[3\] \(bad-cron\): `whenever` is not a cron expression/),
    ]);
  });

  it("reports a file that is not YAML, without throwing", async () => {
    const file = write("schedules: [\n");
    const { schedules, problems } = await readSchedulesFile(file, { timeZone: "UTC", now, isWorkflow });
    expect(schedules).toEqual([]);
    expect(problems[0]).toContain(`${file}: cannot be read as YAML`);
  });

  it("names an unknown field", async () => {
    const file = write("schedules:\n  - { id: x, cron: '0 9 * * *', action: digest, channel: ops, chanel: typo }\n");
    const { problems } = await readSchedulesFile(file, { timeZone: "UTC", now, isWorkflow });
    expect(problems).toEqual([expect.stringContaining(`${file}: schedules[0]: Unrecognized key: "chanel"`)]);
  });
});

describe("the decision journal in the grammar", () => {
  it("reads `history orchestrator [n]` as the orchestrator's history", async () => {
    const { parseCommandText } = await import("../../src/routing/grammar.js");
    const parsed = (text: string) => {
      const result = parseCommandText(text);
      return result.kind === "command" ? result.command : result;
    };
    expect(parsed("/orchestrate history orchestrator")).toEqual({ type: "history", user: "orchestrator" });
    expect(parsed("/orchestrate history orchestrator 3")).toEqual({ type: "history", limit: 3, user: "orchestrator" });
    expect(parsed("/orchestrate history 3 journal")).toEqual({ type: "history", limit: 3, user: "orchestrator" });
  });
});
