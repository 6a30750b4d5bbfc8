/** A scheduled callback; `cancel` is safe to call more than once, or after it ran. */
export interface Timer {
  cancel(): void;
}

/**
 * Injected wherever time matters, so tests can use a fake (CONVENTIONS.md): every wait, backoff,
 * retry, timeout, lease and interval in src goes through one of these. Timers never keep the
 * process alive on their own (the system clock unrefs them).
 */
export interface Clock {
  now(): Date;
  /** Resolves after `ms`; rejects with the signal's reason as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  setTimeout(callback: () => void, ms: number): Timer;
  setInterval(callback: () => void, ms: number): Timer;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error("The wait was cancelled.");
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal as AbortSignal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms).unref();
    return { cancel: () => clearTimeout(timer) };
  },
  setInterval(callback, ms) {
    const timer = setInterval(callback, ms).unref();
    return { cancel: () => clearInterval(timer) };
  },
};

/**
 * `AbortSignal.timeout` on an injected clock: the signal aborts with `reason` once `ms` pass;
 * `cancel` drops the timer when the work finished first.
 */
export function clockTimeout(clock: Clock, ms: number, reason: () => unknown): { signal: AbortSignal; cancel(): void } {
  const controller = new AbortController();
  const timer = clock.setTimeout(() => controller.abort(reason()), ms);
  return { signal: controller.signal, cancel: () => timer.cancel() };
}

/** The calendar and clock fields of `at` as seen in `timeZone` (two-digit, 24-hour), plus the zone's short name. */
export function zonedParts(at: Date | number, timeZone: string): (type: Intl.DateTimeFormatPartTypes) => string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).formatToParts(at);
  return (type) => parts.find((p) => p.type === type)?.value ?? "";
}

/** The wall-clock time at `at` in `timeZone`, read as if it were UTC. */
function wallClock(at: number, timeZone: string): { date: [number, number, number]; asUtc: number } {
  const part = zonedParts(at, timeZone);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(part(type) || 0);
  const date: [number, number, number] = [get("year"), get("month") - 1, get("day")];
  return { date, asUtc: Date.UTC(...date, get("hour"), get("minute"), get("second")) };
}

/**
 * Midnight of `now`'s day in `timeZone` (for "today's spend"). The zone's offset is read at
 * midnight itself, so a day on which daylight saving changes still starts at its own midnight.
 */
export function startOfDay(now: Date, timeZone: string): Date {
  const { date } = wallClock(now.getTime(), timeZone);
  const midnightAsUtc = Date.UTC(...date);
  let guess = midnightAsUtc;
  for (let i = 0; i < 2; i += 1) {
    const offset = wallClock(guess, timeZone).asUtc - guess;
    guess = midnightAsUtc - offset;
  }
  return new Date(guess);
}
