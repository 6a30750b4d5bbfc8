/**
 * Every provider failure becomes one LlmError (vercel/ai APICallError): the fallback chain reads
 * `retryable` and `retryAfterMs`, never message text.
 */
export type LlmErrorCode =
  | "rate_limited"
  | "overloaded"
  | "server_error"
  | "timeout"
  | "network"
  | "auth"
  | "bad_request"
  | "invalid_response"
  | "cancelled"
  /** Refused before the call by a budget (src/llm/budgeted-meter.ts); says nothing about the provider. */
  | "budget_exceeded";

export class LlmError extends Error {
  readonly code: LlmErrorCode;
  readonly provider: string;
  readonly status: number | null;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;

  constructor(init: {
    code: LlmErrorCode;
    provider: string;
    message: string;
    status?: number | null;
    retryable?: boolean;
    retryAfterMs?: number | null;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "LlmError";
    this.code = init.code;
    this.provider = init.provider;
    this.status = init.status ?? null;
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs ?? null;
  }
}

type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | undefined> | undefined;

function header(headers: HeaderSource, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as { get?: unknown }).get === "function")
    return (headers as { get(n: string): string | null }).get(name);
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** `retry-after-ms`, else `retry-after` in seconds or as an HTTP date; null when absent or unreadable. */
export function retryAfterMs(headers: HeaderSource, now: number = Date.now()): number | null {
  const ms = Number(header(headers, "retry-after-ms"));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = header(headers, "retry-after");
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The mapping both providers share: an HTTP status to a code and whether another try may help. */
export function llmErrorFromStatus(
  provider: string,
  status: number,
  message: string,
  headers: HeaderSource,
  cause?: unknown,
): LlmError {
  const base = { provider, status, message: `${provider} answered ${status}: ${message}`, cause };
  if (status === 429)
    return new LlmError({ ...base, code: "rate_limited", retryable: true, retryAfterMs: retryAfterMs(headers) });
  if (status === 529)
    return new LlmError({ ...base, code: "overloaded", retryable: true, retryAfterMs: retryAfterMs(headers) });
  if (status === 408) return new LlmError({ ...base, code: "timeout", retryable: true });
  if (status >= 500)
    return new LlmError({ ...base, code: "server_error", retryable: true, retryAfterMs: retryAfterMs(headers) });
  if (status === 401 || status === 403) return new LlmError({ ...base, code: "auth" });
  return new LlmError({ ...base, code: "bad_request" });
}
