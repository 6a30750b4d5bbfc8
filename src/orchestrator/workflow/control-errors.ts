import { BatonError } from "../../errors.js";

/**
 * Workflow control errors (Inngest's `NonRetriableError` / `RetryAfterError`): classes a tool or
 * the engine throws to steer the retry policy. `retryDelay` reads them; everything else reads
 * `code` and `retryable` like any BatonError.
 */

export interface ControlErrorOptions {
  cause?: unknown;
}

/** Thrown by a tool to say "retrying will not help": the step fails on this attempt. */
export class NonRetriableError extends BatonError {
  constructor(message: string, options: ControlErrorOptions = {}) {
    super("non_retriable", message, { ...options, retryable: false });
    this.name = "NonRetriableError";
  }
}

/** Thrown by a tool to say "retry, but not before `retryAfterMs`" (e.g. an HTTP 429 `Retry-After`). */
export class RetryAfterError extends BatonError {
  readonly retryAfterMs: number;

  constructor(message: string, retryAfterMs: number, options: ControlErrorOptions = {}) {
    super("retry_after", message, { ...options, retryable: true });
    this.name = "RetryAfterError";
    this.retryAfterMs = retryAfterMs;
  }
}

/** One attempt of a step ran past its `timeoutMs`; the tool's AbortSignal has been aborted. */
export class StepTimeoutError extends BatonError {
  readonly timeoutMs: number;

  constructor(timeoutMs: number, options: ControlErrorOptions = {}) {
    super("step_timeout", `Step timed out after ${timeoutMs} ms.`, { ...options, retryable: true });
    this.name = "StepTimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/** A run went over its spending or step budget; retrying would only spend more. */
export class BudgetExceededError extends BatonError {
  constructor(message: string, options: ControlErrorOptions = {}) {
    super("budget_exceeded", message, { ...options, retryable: false });
    this.name = "BudgetExceededError";
  }
}
