import { setTimeout as delay } from "node:timers/promises";
import { inspect } from "node:util";

export interface EventuallyOptions {
  /** How long to keep probing before failing (default 10 s; the machine running the suite may be busy). */
  timeoutMs?: number;
  /** The pause between two probes (default 10 ms). */
  intervalMs?: number;
}

/**
 * How long to give a process the test spawned (`node bin/baton.js`, which loads all of
 * baton) to get somewhere: seconds on an idle machine, far more when the 2 cores are shared.
 */
export const SPAWNED_PROCESS_MS = 45_000;

type Falsy = false | 0 | "" | null | undefined;

/** What a probe returns once it has succeeded. */
export type Truthy<T> = Exclude<T, Falsy>;

/**
 * Calls `probe` until it returns something truthy and returns that; a probe that throws (a failed
 * `expect`, a query against a database that is not there yet) has simply not succeeded yet. Once
 * `timeoutMs` has passed it fails with `description` and what the last probe returned or threw.
 * It only waits for an outcome: no test asserts how long that took.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  description: string | (() => string),
  { timeoutMs = 10_000, intervalMs = 10 }: EventuallyOptions = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: { value: unknown } | { error: unknown };
    try {
      const value = await probe();
      if (value) return value as Truthy<T>;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) {
      const what = typeof description === "string" ? description : description();
      const seen =
        "error" in last ? `the last probe threw ${show(last.error)}` : `the last probe returned ${show(last.value)}`;
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; ${seen}.`, {
        ...("error" in last && { cause: last.error }),
      });
    }
    await delay(intervalMs);
  }
}

function show(value: unknown): string {
  const text =
    value instanceof Error ? value.message : inspect(value, { depth: 3, breakLength: Number.POSITIVE_INFINITY });
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}
