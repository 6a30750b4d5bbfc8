import cronParser from "cron-parser";
import { BatonError } from "../../errors.js";
import { expandCron } from "./cron.js";

const DAY_S = 86_400;

/**
 * The shortest wall-clock gap, in seconds, between two consecutive fires of `cron`. It is worked
 * out from the second, minute and hour fields: the closest two times of day, or the last time of
 * one day and the first of the next. It assumes two consecutive days can match, so a cron limited
 * to some weekdays is judged by its busiest stretch, never as slower than it is.
 */
export function shortestGapSeconds(cron: string): number {
  const { second, minute, hour } = cronParser.parseExpression(expandCron(cron)).fields;
  const times: number[] = [];
  for (const h of hour) for (const m of minute) for (const s of second) times.push(h * 3600 + m * 60 + s);
  times.sort((a, b) => a - b);
  const first = times[0] ?? 0;
  let shortest = DAY_S - ((times.at(-1) ?? 0) - first);
  for (let index = 1; index < times.length; index += 1) {
    shortest = Math.min(shortest, (times[index] ?? 0) - (times[index - 1] ?? 0));
  }
  return shortest;
}

/** Throws one sentence when `cron` can fire closer together than `minIntervalS` (BATON_SCHEDULE_MIN_INTERVAL_S). */
export function checkCronInterval(cron: string, minIntervalS: number): void {
  const gap = shortestGapSeconds(cron);
  if (gap >= minIntervalS) return;
  throw new BatonError(
    "invalid_command",
    `\`${cron}\` can fire ${duration(gap)} after its previous fire, but baton runs a schedule at most once every ${duration(minIntervalS)} (BATON_SCHEDULE_MIN_INTERVAL_S); use a cron whose fires are further apart, e.g. \`${exampleFor(minIntervalS)}\`.`,
  );
}

function duration(seconds: number): string {
  if (seconds % 3600 === 0) return plural(seconds / 3600, "hour");
  if (seconds % 60 === 0) return plural(seconds / 60, "minute");
  return plural(seconds, "second");
}

function plural(count: number, unit: string): string {
  return count === 1 ? `1 ${unit}` : `${count} ${unit}s`;
}

function exampleFor(minIntervalS: number): string {
  if (minIntervalS <= 60) return "*/5 * * * *";
  if (minIntervalS <= 3600) return "0 * * * *";
  return "0 9 * * *";
}
