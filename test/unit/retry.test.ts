import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BatonError } from "../../src/errors.js";
import {
  BudgetExceededError,
  NonRetriableError,
  RetryAfterError,
  StepTimeoutError,
} from "../../src/orchestrator/workflow/control-errors.js";
import { DEFAULT_RETRY, RetryPolicy, retryDelay } from "../../src/orchestrator/workflow/retry.js";

const fixed = (value: number) => () => value;
const policy = (fields: Partial<RetryPolicy> = {}): RetryPolicy => RetryPolicy.parse({ maxAttempts: 10, ...fields });
const transient = new Error("connection reset");

describe("control errors", () => {
  it.each([
    [new NonRetriableError("no"), "non_retriable", false, "NonRetriableError"],
    [new RetryAfterError("later", 5000), "retry_after", true, "RetryAfterError"],
    [new StepTimeoutError(250), "step_timeout", true, "StepTimeoutError"],
    [new BudgetExceededError("over"), "budget_exceeded", false, "BudgetExceededError"],
  ])("%s is a BatonError with code %s", (error, code, retryable, name) => {
    expect(error).toBeInstanceOf(BatonError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.name).toBe(name);
  });

  it("keeps the cause and the extra fields", () => {
    const cause = new Error("429");
    const later = new RetryAfterError("rate limited", 1500, { cause });
    expect(later.retryAfterMs).toBe(1500);
    expect(later.cause).toBe(cause);
    expect(new NonRetriableError("bad input", { cause }).cause).toBe(cause);
  });

  it("says how long a step ran before it timed out", () => {
    const timeout = new StepTimeoutError(250);
    expect(timeout.message).toBe("Step timed out after 250 ms.");
    expect(timeout.timeoutMs).toBe(250);
  });
});

describe("RetryPolicy", () => {
  it("defaults to a single attempt", () => {
    expect(RetryPolicy.parse({})).toEqual({
      maxAttempts: 1,
      delayMs: 1000,
      backoffFactor: 2,
      maxDelayMs: 60_000,
      jitter: 0.2,
    });
    expect(DEFAULT_RETRY.maxAttempts).toBe(1);
    expect(retryDelay(DEFAULT_RETRY, 1, transient)).toBeNull();
  });

  it.each([
    [{ maxAttempts: 0 }, "maxAttempts"],
    [{ maxAttempts: 21 }, "maxAttempts"],
    [{ maxAttempts: 1.5 }, "maxAttempts"],
    [{ delayMs: -1 }, "delayMs"],
    [{ delayMs: 3_600_001 }, "delayMs"],
    [{ backoffFactor: 0.5 }, "backoffFactor"],
    [{ backoffFactor: 11 }, "backoffFactor"],
    [{ maxDelayMs: "soon" }, "maxDelayMs"],
    [{ jitter: 1.5 }, "jitter"],
    [{ attempts: 3 }, ""],
  ])("rejects %j", (input, field) => {
    const parsed = RetryPolicy.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error).toBeInstanceOf(z.ZodError);
    expect(parsed.error?.issues[0]?.path.join(".")).toBe(field);
  });
});

describe("retryDelay", () => {
  it("applies jitter around the delay", () => {
    const base = policy({ delayMs: 1000, jitter: 0.2 });
    expect(retryDelay(base, 1, transient, fixed(0))).toBe(800);
    expect(retryDelay(base, 1, transient, fixed(0.5))).toBe(1000);
    expect(retryDelay(base, 1, transient, fixed(1))).toBe(1200);
  });

  it("rounds and never goes below zero", () => {
    expect(retryDelay(policy({ delayMs: 3, jitter: 0.5 }), 1, transient, fixed(0.3))).toBe(2);
    expect(retryDelay(policy({ delayMs: 0, jitter: 1 }), 1, transient, fixed(0))).toBe(0);
    expect(retryDelay(policy({ delayMs: 100, jitter: 1 }), 1, transient, fixed(0))).toBe(0);
  });

  it("grows by the backoff factor and stops at maxDelayMs", () => {
    const growing = policy({ delayMs: 1000, backoffFactor: 3, maxDelayMs: 20_000, jitter: 0 });
    const delays = [1, 2, 3, 4, 5].map((attempt) => retryDelay(growing, attempt, transient));
    expect(delays).toEqual([1000, 3000, 9000, 20_000, 20_000]);
  });

  it("applies jitter after the cap", () => {
    const capped = policy({ delayMs: 1000, maxDelayMs: 1500, jitter: 0.2 });
    expect(retryDelay(capped, 3, transient, fixed(1))).toBe(1800);
  });

  it("stops once the attempts are used up", () => {
    const three = policy({ maxAttempts: 3, jitter: 0 });
    expect(retryDelay(three, 1, transient)).toBe(1000);
    expect(retryDelay(three, 2, transient)).toBe(2000);
    expect(retryDelay(three, 3, transient)).toBeNull();
    expect(retryDelay(three, 4, transient)).toBeNull();
  });

  it("retries a plain Error and a retryable BatonError", () => {
    const retryable = new BatonError("http_error", "502 from upstream", { retryable: true });
    expect(retryDelay(policy({ jitter: 0 }), 1, transient)).toBe(1000);
    expect(retryDelay(policy({ jitter: 0 }), 1, retryable)).toBe(1000);
    expect(retryDelay(policy({ jitter: 0 }), 1, new StepTimeoutError(10))).toBe(1000);
    expect(retryDelay(policy({ jitter: 0 }), 1, "a thrown string")).toBe(1000);
  });

  it("does not retry a NonRetriableError or a non-retryable BatonError", () => {
    expect(retryDelay(policy(), 1, new NonRetriableError("bad input"))).toBeNull();
    expect(retryDelay(policy(), 1, new BudgetExceededError("over budget"))).toBeNull();
    expect(retryDelay(policy(), 1, new BatonError("step_failed", "bad arguments"))).toBeNull();
  });

  it("never retries a cancellation, even one marked retryable", () => {
    for (const code of ["cancelled", "interrupted"] as const) {
      expect(retryDelay(policy(), 1, new BatonError(code, "stopped"))).toBeNull();
      expect(retryDelay(policy(), 1, new BatonError(code, "stopped", { retryable: true }))).toBeNull();
    }
  });

  it("waits as a RetryAfterError tells it, without jitter or the delay cap", () => {
    const capped = policy({ maxDelayMs: 1000, jitter: 1 });
    expect(retryDelay(capped, 1, new RetryAfterError("later", 90_000), fixed(0))).toBe(90_000);
    expect(retryDelay(capped, 1, new RetryAfterError("now", -5))).toBe(0);
  });

  it("caps a RetryAfterError at a day and still respects maxAttempts", () => {
    const day = 24 * 60 * 60 * 1000;
    expect(retryDelay(policy(), 1, new RetryAfterError("much later", 2 * day))).toBe(day);
    expect(retryDelay(policy(), 1, new RetryAfterError("forever", Number.POSITIVE_INFINITY))).toBe(day);
    expect(retryDelay(policy({ maxAttempts: 2 }), 2, new RetryAfterError("later", 5))).toBeNull();
  });
});
