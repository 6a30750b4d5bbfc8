import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { MISSED_POLICIES, type ScheduleRecord } from "../../db/repositories/schedule-repository.js";
import { toBatonError } from "../../errors.js";
import { buildSchedule } from "./schedule-spec.js";

/**
 * Schedules seeded from a YAML file on start (BATON_SCHEDULES_FILE, else ./schedules.yaml when it
 * exists). Each entry has a stable `id`, so editing the file updates the schedule instead of adding
 * one. A bad entry is reported with the file and field named; the others still load.
 */
const Entry = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, "use letters, digits, '_', '-' or '.' (at most 100)"),
  cron: z.string().min(1),
  tz: z.string().min(1).optional(),
  action: z.string().min(1),
  workflow: z.string().min(1).optional(),
  input: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
  platform: z.string().min(1).default("console"),
  channel: z.string().min(1).optional(),
  enabled: z.boolean().default(true),
  missed: z.enum(MISSED_POLICIES, { message: "expected skip or run_once" }).default("skip"),
});

const FileSchema = z.strictObject({ schedules: z.array(z.unknown()).default([]) });

export interface SeedResult {
  schedules: ScheduleRecord[];
  problems: string[];
}

function issueText(label: string, prefix: string, issue: z.core.$ZodIssue): string {
  const field = [prefix, ...issue.path.map(String)].filter((part) => part !== "").join(".");
  return `${label}: ${field || "file"}: ${issue.message}`;
}

export async function readSchedulesFile(
  file: string,
  options: { timeZone: string; now: Date; isWorkflow: (name: string) => boolean; minIntervalS?: number },
): Promise<SeedResult> {
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(file, "utf8"));
  } catch (error) {
    return { schedules: [], problems: [`${file}: cannot be read as YAML (${toBatonError(error).message}).`] };
  }
  const parsed = FileSchema.safeParse(raw ?? {});
  if (!parsed.success) return { schedules: [], problems: parsed.error.issues.map((i) => issueText(file, "", i)) };
  const schedules: ScheduleRecord[] = [];
  const problems: string[] = [];
  parsed.data.schedules.forEach((item, index) => {
    const at = `schedules[${index}]`;
    const entry = Entry.safeParse(item);
    if (!entry.success) {
      problems.push(...entry.error.issues.map((issue) => issueText(file, at, issue)));
      return;
    }
    const e = entry.data;
    try {
      const schedule = buildSchedule(
        {
          id: e.id,
          cron: e.cron,
          timeZone: e.tz ?? options.timeZone,
          action: e.action,
          ...(e.workflow !== undefined && { workflow: e.workflow }),
          ...(e.input !== undefined && { input: e.input }),
          platform: e.platform,
          channel: e.channel ?? null,
          enabled: e.enabled,
          missedPolicy: e.missed,
          createdBy: "file",
          source: file,
        },
        options.now,
        options.isWorkflow,
        options.minIntervalS,
      );
      if (schedules.some((known) => known.id === schedule.id)) {
        problems.push(`${file}: ${at}.id: \`${schedule.id}\` is used by an earlier entry.`);
        return;
      }
      schedules.push(schedule);
    } catch (error) {
      problems.push(`${file}: ${at} (${e.id}): ${toBatonError(error).message}`);
    }
  });
  return { schedules, problems };
}
