import { LlmError } from "./errors.js";

/**
 * Runs one provider call under its own timeout and the request's deadline. The SDKs' `timeout`
 * covers waiting for the response headers, not a body that stalls, so the timeout is also an
 * AbortSignal; which signal fired decides the error (a timeout may be retried elsewhere, a passed
 * deadline says nothing about the provider).
 */
export async function callWithTimeout<T>(
  provider: string,
  timeoutMs: number,
  deadline: AbortSignal | undefined,
  call: (signal: AbortSignal) => Promise<T>,
  toError: (error: unknown) => LlmError,
): Promise<T> {
  // A socket deadline on the wall clock, not the injected Clock: the call is real network I/O, so a
  // fake clock that stands still must not hold it open (the router's overall deadline is on the Clock).
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = deadline ? AbortSignal.any([deadline, timeout]) : timeout;
  try {
    return await call(signal);
  } catch (error) {
    if (deadline?.aborted) {
      throw new LlmError({
        code: "cancelled",
        provider,
        message: `${provider} call stopped: the request's deadline passed`,
        cause: error,
      });
    }
    if (timeout.aborted) {
      throw new LlmError({
        code: "timeout",
        provider,
        retryable: true,
        message: `${provider} did not answer within ${timeoutMs} ms`,
        cause: error,
      });
    }
    throw toError(error);
  }
}
