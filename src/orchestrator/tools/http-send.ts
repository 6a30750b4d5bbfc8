import { STATUS_CODES } from "node:http";
import { BatonError } from "../../errors.js";
import type { EgressClient, EgressResponse } from "./egress/egress-client.js";
import type { RequestBudget } from "./egress/request-budget.js";
import type { JsonValue } from "./types.js";

export const MAX_BODY_BYTES = 64 * 1024;

export interface RequestPlan {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** Where a tool's requests go: through the egress policy, counted against the run's budget. */
export interface HttpChannel {
  client: EgressClient;
  budget: RequestBudget;
}

export type Attempt<T> =
  | { ok: true; value: T }
  | { ok: false; stopped: BatonError }
  | { ok: false; stopped?: undefined; reason: string; timedOut: boolean; cause: unknown };

/**
 * One request (with its redirects) under the caller's signal plus the request's own timeout.
 * Cancellation propagates as a `cancelled` BatonError; baton's own stops (the egress policy, the
 * request budget, too many redirects) come back as `stopped`; a timeout or network failure as a
 * short reason.
 */
export async function send<T>(
  channel: HttpChannel,
  plan: RequestPlan,
  signal: AbortSignal,
  handle: (response: EgressResponse) => Promise<T>,
): Promise<Attempt<T>> {
  // A socket deadline on the wall clock, not the injected Clock: the request runs on real sockets,
  // so a fake clock that stands still must not hold it open (the step's own timeout is on the Clock).
  const timeout = AbortSignal.timeout(plan.timeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  try {
    const response = await channel.client.request({ ...plan, signal: combined }, channel.budget);
    try {
      return { ok: true, value: await handle(response) };
    } finally {
      response.body.destroy();
    }
  } catch (cause) {
    if (signal.aborted) throw new BatonError("cancelled", `${plan.method} ${plan.url} was cancelled.`, { cause });
    if (cause instanceof BatonError) return { ok: false, stopped: cause };
    const timedOut = timeout.aborted;
    const reason = timedOut ? `timed out after ${plan.timeoutMs} ms` : networkReason(cause);
    return { ok: false, reason, timedOut, cause };
  }
}

export async function readResponse(response: EgressResponse) {
  const { text, truncated } = await readCapped(response, MAX_BODY_BYTES);
  const body = isJson(response.contentType) && !truncated ? parseJson(text) : text;
  const ok = response.status >= 200 && response.status < 300;
  return { status: response.status, ok, contentType: response.contentType, body, truncated };
}

/** Reads at most `maxBytes` as they stream in, then stops the transfer: a huge body is never buffered. */
async function readCapped(response: EgressResponse, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of response.body) {
    const bytes = chunk as Buffer;
    chunks.push(bytes.subarray(0, maxBytes - size));
    size += bytes.byteLength;
    if (size > maxBytes) {
      truncated = true;
      response.body.destroy();
      break;
    }
  }
  return { text: new TextDecoder().decode(Buffer.concat(chunks)), truncated };
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

function isJson(contentType: string | null): boolean {
  return contentType !== null && /[/+]json\b/i.test(contentType);
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found (DNS lookup failed)",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed by the server",
};

/** The short reason for a network failure; node reports some of them nested (AggregateError, cause). */
function networkReason(error: unknown): string {
  let current = error;
  let message = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    const known = typeof code === "string" ? NETWORK_REASONS[code] : undefined;
    if (known !== undefined) return known;
    message = current.message;
    current = current instanceof AggregateError ? current.errors[0] : current.cause;
  }
  return message;
}

export function describeStatus(status: number): string {
  const text = STATUS_CODES[status];
  return text === undefined ? String(status) : `${status} ${text}`;
}
