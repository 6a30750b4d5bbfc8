import { z } from "zod";
import { BatonError } from "../../errors.js";
import { NonRetriableError, RetryAfterError } from "./control-errors.js";

const HOUR_MS = 60 * 60 * 1000;
/** A RetryAfterError waits as told, but no step sleeps longer than a day between attempts. */
const MAX_RETRY_AFTER_MS = 24 * HOUR_MS;

/** A step's `retry:` field. The defaults mean "one attempt, no retry". */
export const RetryPolicy = z.strictObject({
  /** Attempts in all, the first included. */
  maxAttempts: z.int().min(1).max(20).default(1),
  /** The wait before the second attempt. */
  delayMs: z.int().min(0).max(HOUR_MS).default(1000),
  /** Each further wait is the previous one times this. */
  backoffFactor: z.number().min(1).max(10).default(2),
  /** The wait never grows past this (before jitter). */
  maxDelayMs: z.int().min(0).max(HOUR_MS).default(60_000),
  /** The fraction of the wait randomised either way, so retries of many runs do not line up. */
  jitter: z.number().min(0).max(1).default(0.2),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;

export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze(RetryPolicy.parse({}));

/**
 * How long to wait before the next attempt, or null to stop. `attempt` is the 1-based attempt
 * that just failed with `error`. A plain Error counts as transient (tools throw ordinary errors
 * for network trouble); a BatonError is retried only when it says `retryable`.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  error: unknown,
  random: () => number = Math.random,
): number | null {
  if (attempt >= policy.maxAttempts || !isRetryable(error)) return null;
  if (error instanceof RetryAfterError) return clampRetryAfter(error.retryAfterMs);
  return withJitter(backoff(policy, attempt), policy.jitter, random);
}

function isRetryable(error: unknown): boolean {
  if (error instanceof NonRetriableError) return false;
  if (!(error instanceof BatonError)) return true;
  // Cancellation is the user's (or shutdown's) decision, whatever `retryable` says.
  if (error.code === "cancelled" || error.code === "interrupted") return false;
  return error.retryable;
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(policy.maxDelayMs, policy.delayMs * policy.backoffFactor ** exponent);
}

function withJitter(delay: number, jitter: number, random: () => number): number {
  return Math.max(0, Math.round(delay * (1 + jitter * (2 * random() - 1))));
}

function clampRetryAfter(ms: number): number {
  if (Number.isNaN(ms)) return 0;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(ms)));
}
