import cronParser from "cron-parser";
import { BatonError } from "../../errors.js";

/**
 * Cron arithmetic with time zones, through cron-parser (the parser node-schedule itself uses, so a
 * fire time computed here is the one node-schedule fires at). Five fields (minute precision) or six
 * (seconds first); the usual @daily-style shorthands.
 */

const SHORTHANDS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** Safety stop when enumerating fires over a long downtime. */
const MAX_ENUMERATED = 100_000;

export function expandCron(cron: string): string {
  const trimmed = cron.trim().replace(/\s+/g, " ");
  return SHORTHANDS[trimmed.toLowerCase()] ?? trimmed;
}

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Throws one clear sentence when the expression or the zone is not usable. */
export function checkCron(cron: string, timeZone: string): void {
  if (!isTimeZone(timeZone)) {
    throw new BatonError(
      "invalid_command",
      `\`${timeZone}\` is not a time zone; use an IANA name such as \`UTC\` or \`Europe/Berlin\`.`,
    );
  }
  const expression = expandCron(cron);
  const fields = expression.split(" ").length;
  try {
    if (fields < 5 || fields > 6) throw new Error(`it has ${fields} field${fields === 1 ? "" : "s"}`);
    cronParser.parseExpression(expression, { tz: timeZone }).next();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new BatonError(
      "invalid_command",
      `\`${cron}\` is not a cron expression baton understands (${why}); use five fields, e.g. \`0 9 * * 1-5\` for 09:00 on weekdays.`,
    );
  }
}

function parse(cron: string, timeZone: string, from: Date) {
  return cronParser.parseExpression(expandCron(cron), { tz: timeZone, currentDate: from });
}

/** The first fire strictly after `after`. */
export function nextFireAfter(cron: string, timeZone: string, after: Date): Date {
  return parse(cron, timeZone, after).next().toDate();
}

/** The next `count` fires strictly after `after`. */
export function upcomingFires(cron: string, timeZone: string, after: Date, count: number): Date[] {
  const expression = parse(cron, timeZone, after);
  return Array.from({ length: count }, () => expression.next().toDate());
}

/** The latest fire at or before `at` (null when there is none, e.g. a date in the future). */
export function latestFireAtOrBefore(cron: string, timeZone: string, at: Date): Date | null {
  try {
    // cron-parser's prev() is strictly before its current date, so start one millisecond later.
    return parse(cron, timeZone, new Date(at.getTime() + 1))
      .prev()
      .toDate();
  } catch {
    return null;
  }
}

/**
 * Fires in (after, until], oldest first, with how many there were (`list` stops at `max`; the
 * count keeps going up to a safety limit so a long downtime still reports a number).
 */
export function firesBetween(
  cron: string,
  timeZone: string,
  after: Date,
  until: Date,
  max = 1000,
): { list: Date[]; count: number; latest: Date | null } {
  const expression = parse(cron, timeZone, after);
  const list: Date[] = [];
  let count = 0;
  let latest: Date | null = null;
  while (count < MAX_ENUMERATED) {
    const next = expression.next().toDate();
    if (next.getTime() > until.getTime()) break;
    count += 1;
    latest = next;
    if (list.length < max) list.push(next);
  }
  return { list, count, latest };
}
