/**
 * "every weekday at 9", "hourly", "every 30 minutes", "each friday at 5pm", "nightly at 2am" → a
 * five-field cron. Only the phrasings below are read; anything else is no schedule at all, so a
 * vague "every so often" is asked about instead of guessed. Every pattern runs in linear time.
 */

const DAYS: Readonly<Record<string, number>> = {
  sunday: 0,
  sun: 0,
  monday: 1,
  mon: 1,
  tuesday: 2,
  tue: 2,
  tues: 2,
  wednesday: 3,
  wed: 3,
  thursday: 4,
  thu: 4,
  thurs: 4,
  friday: 5,
  fri: 5,
  saturday: 6,
  sat: 6,
};

const EVERY_MINUTES = /\bevery (\d{1,2}) ?(?:minutes?|mins?|m)\b/;
const EVERY_HOURS = /\bevery (\d{1,2}) ?(?:hours?|hrs?|h)\b/;
const HOURLY = /\bhourly\b|\bevery hour\b|\beach hour\b|\bonce an hour\b/;
const WEEKDAYS = /\bweekdays?\b|\bmonday (?:to|through|thru|-) friday\b|\bmon ?- ?fri\b|\bworkdays?\b|\bwork days?\b/;
const WEEKENDS = /\bweekends?\b/;
const DAY_NAME =
  /\b(?:every |each |on |on every )(sunday|monday|tuesday|wednesday|thursday|friday|saturday|sun|mon|tues?|wed|thu(?:rs)?|fri|sat)s?\b|\b(sunday|monday|tuesday|wednesday|thursday|friday|saturday)s\b/;
const DAILY =
  /\b(?:daily|every day|each day|everyday|every morning|each morning|every evening|every night|nightly|once a day)\b/;
const WEEKLY = /\b(?:weekly|every week|each week|once a week)\b/;
const AT_TIME = /\b(?:at|@) ?(\d{1,2})(?::(\d{2}))? ?(am|pm)?\b|\b(\d{1,2})(?::(\d{2}))? ?(am|pm)\b/;
const NOON = /\b(?:at )?noon\b|\bmidday\b/;
const MIDNIGHT = /\b(?:at )?midnight\b/;
const EVENING = /\b(?:evening|evenings)\b/;
const NIGHT = /\b(?:night|nightly|nights)\b/;

/** Whether text says when something repeats ("every …", "daily", "hourly", a day's name with "every"). */
export const REPEATS =
  /\b(?:every|each|daily|weekly|hourly|nightly|weekdays?|weekends?|everyday|once an? (?:hour|day|week))\b|\b(?:sunday|monday|tuesday|wednesday|thursday|friday|saturday)s\b/;

export interface ReadCron {
  cron: string;
}

/** The cron `plain` (lowercased, see rules-text) describes, or null when it names no repeat this reads. */
export function cronFromWords(plain: string): ReadCron | null {
  const minutes = EVERY_MINUTES.exec(plain);
  if (minutes?.[1]) {
    const n = Number(minutes[1]);
    return n >= 1 && n <= 59 ? { cron: `*/${n} * * * *` } : null;
  }
  const hours = EVERY_HOURS.exec(plain);
  if (hours?.[1]) {
    const n = Number(hours[1]);
    return n >= 1 && n <= 23 ? { cron: `0 */${n} * * *` } : null;
  }
  if (HOURLY.test(plain)) return { cron: "0 * * * *" };
  const days = dayField(plain);
  if (days === null) return null;
  const time = timeOf(plain);
  if (time === null) return null;
  return { cron: `${time.minute} ${time.hour} * * ${days}` };
}

/** The cron's day-of-week field, or null when no repeat over days is named. */
function dayField(plain: string): string | null {
  if (WEEKDAYS.test(plain)) return "1-5";
  if (WEEKENDS.test(plain)) return "0,6";
  const day = DAY_NAME.exec(plain);
  const name = day?.[1] ?? day?.[2];
  if (name !== undefined) return String(DAYS[name] ?? 1);
  if (DAILY.test(plain)) return "*";
  // "weekly" alone: Monday mornings, the start of most teams' week.
  if (WEEKLY.test(plain)) return "1";
  return null;
}

/** The time of day named, or the part of the day's default (morning 9:00, evening 18:00, night 0:00). */
function timeOf(plain: string): { hour: number; minute: number } | null {
  if (NOON.test(plain)) return { hour: 12, minute: 0 };
  if (MIDNIGHT.test(plain)) return { hour: 0, minute: 0 };
  const at = AT_TIME.exec(plain);
  if (at) {
    let hour = Number(at[1] ?? at[4]);
    const minute = Number(at[2] ?? at[5] ?? 0);
    const half = at[3] ?? at[6] ?? "";
    if (half === "pm" && hour < 12) hour += 12;
    if (half === "am" && hour === 12) hour = 0;
    // "at 5" in the evening is 17:00; a bare small number with "night" stays as said.
    if (half === "" && hour < 12 && EVENING.test(plain)) hour += 12;
    return hour <= 23 && minute <= 59 ? { hour, minute } : null;
  }
  if (EVENING.test(plain)) return { hour: 18, minute: 0 };
  if (NIGHT.test(plain)) return { hour: 0, minute: 0 };
  return { hour: 9, minute: 0 };
}
