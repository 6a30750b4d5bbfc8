import type { Clock } from "./clock.js";

/** The wait after the `failed`-th failed attempt (1-based): `initialMs`, then doubling, at most `maxMs`. */
export function exponentialBackoff(initialMs: number, maxMs = Number.POSITIVE_INFINITY): (failed: number) => number {
  return (failed) => Math.min(maxMs, initialMs * 2 ** Math.max(0, failed - 1));
}

interface RetryBase {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Whether a failure is worth another attempt (default: every failure is). */
  retryable?: (error: unknown) => boolean;
  /** Told about every failed attempt, the last one included, before any wait (to log or record it). */
  onFailure?: (error: unknown, attempt: number) => void | Promise<void>;
  /** Stops the waiting: the retry rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Retries either at once (no backoff) or after waits taken from the injected clock. */
export type RetryOptions = RetryBase &
  ({ backoff?: undefined } | { backoff: (failed: number) => number; clock: Clock });

/**
 * Runs `attempt` until it resolves, fails with an error `retryable` refuses, or `attempts` are
 * used up; the last error is rethrown as it was. We keep this small helper instead of p-retry
 * because p-retry waits on the global timers, and every wait in baton goes through the injected
 * Clock so tests move time by hand (issue 13).
 */
export async function retrying<T>(attempt: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let made = 1; ; made += 1) {
    options.signal?.throwIfAborted();
    try {
      return await attempt(made);
    } catch (error) {
      await options.onFailure?.(error, made);
      if (made >= options.attempts || !(options.retryable?.(error) ?? true)) throw error;
      if (options.backoff) await options.clock.sleep(options.backoff(made), options.signal);
    }
  }
}
