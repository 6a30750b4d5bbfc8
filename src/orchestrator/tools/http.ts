import { STATUS_CODES } from "node:http";
import { z } from "zod";
import { BatonError } from "../../errors.js";
import type { JsonValue, Tool } from "./types.js";

const MAX_BODY_BYTES = 64 * 1024;
const MAX_URLS = 50;
/** Healthchecks run side by side, but not so many that baton floods a host or its own socket pool. */
const CHECK_CONCURRENCY = 8;

/** Template output is text, so `"5000"` and `"true"` from an input must still count as a number/boolean. */
const fromText = (value: unknown) => {
  if (typeof value !== "string" || value.trim() === "") return value;
  if (value === "true" || value === "false") return value === "true";
  return Number(value);
};

const HttpUrl = z
  .string()
  .trim()
  .refine(isHttpUrl, { error: (issue) => `\`${String(issue.input)}\` is not an http:// or https:// URL` });
const UrlList = z
  .union([z.array(z.string()), z.string()])
  .transform((value) => (Array.isArray(value) ? value : value.split(/[\s,]+/)).filter((url) => url.trim() !== ""))
  .pipe(z.array(HttpUrl).min(1).max(MAX_URLS));
const HeaderValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const common = {
  headers: z.record(z.string(), HeaderValue).default({}),
  timeoutMs: z.preprocess(fromText, z.number().int().min(1).max(300_000)).default(10_000),
  failOnStatus: z.preprocess(fromText, z.boolean()).default(false),
};

const HttpGetArgs = z
  .strictObject({ url: HttpUrl.optional(), urls: UrlList.optional(), ...common })
  .transform(({ url, urls, ...options }, ctx) => {
    if (url !== undefined && urls === undefined) return { ...options, url };
    if (urls !== undefined && url === undefined) return { ...options, urls };
    ctx.issues.push({ code: "custom", message: "give either `url` or `urls` (not both)", input: { url, urls } });
    return z.NEVER;
  });
type HttpGetArgs = z.infer<typeof HttpGetArgs>;

const HttpPostArgs = z.strictObject({
  url: HttpUrl,
  body: z.union([z.string(), z.record(z.string(), z.json()), z.array(z.json())]).optional(),
  ...common,
});
type HttpPostArgs = z.infer<typeof HttpPostArgs>;

export interface HttpToolOptions {
  fetch: typeof fetch;
}

interface RequestPlan {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** `url`: one request, its status and body. `urls`: a healthcheck that reports every URL, up or down. */
export function createHttpGetTool({ fetch }: HttpToolOptions): Tool<HttpGetArgs> {
  return {
    name: "http.get",
    description:
      "GETs `url` and returns status and body, or checks every URL in `urls` (a list or a comma/space separated string) and returns a summary.",
    idempotent: true,
    args: HttpGetArgs,
    run: (args, { signal }) =>
      "urls" in args
        ? checkUrls(fetch, args.urls, { ...args, method: "GET" }, signal)
        : requestOne(fetch, { ...args, method: "GET" }, args.failOnStatus, signal),
  };
}

/** POSTs `body` (text, or JSON when it is an object or a list) to `url`. Not idempotent: never re-run blindly. */
export function createHttpPostTool({ fetch }: HttpToolOptions): Tool<HttpPostArgs> {
  return {
    name: "http.post",
    description: "POSTs `body` (text, or JSON for an object) to `url` and returns status and body.",
    idempotent: false,
    args: HttpPostArgs,
    run: (args, { signal }) => requestOne(fetch, postPlan(args), args.failOnStatus, signal),
  };
}

function postPlan({ url, body, headers, timeoutMs }: HttpPostArgs): RequestPlan {
  const plan: RequestPlan = { method: "POST", url, headers, timeoutMs };
  if (body === undefined) return plan;
  if (typeof body === "string") return { ...plan, body };
  const hasContentType = Object.keys(headers).some((name) => name.toLowerCase() === "content-type");
  const jsonHeaders = hasContentType ? headers : { ...headers, "content-type": "application/json" };
  return { ...plan, headers: jsonHeaders, body: JSON.stringify(body) };
}

async function requestOne(
  fetchImpl: typeof fetch,
  plan: RequestPlan,
  failOnStatus: boolean,
  signal: AbortSignal,
): Promise<JsonValue> {
  const startedAt = performance.now();
  const attempt = await send(fetchImpl, plan, signal, readResponse);
  if (!attempt.ok) {
    const outcome = attempt.timedOut ? attempt.reason : `failed: ${attempt.reason}`;
    const message = `${plan.method} ${plan.url} ${outcome}.`;
    throw new BatonError("http_error", message, { cause: attempt.cause, retryable: true });
  }
  const { status, ok, contentType, body, truncated } = attempt.value;
  if (failOnStatus && !ok) {
    const message = `${plan.method} ${plan.url} returned ${describeStatus(status)}.`;
    throw new BatonError("http_error", message, { retryable: status >= 500 || status === 429 });
  }
  const output = { url: plan.url, status, ok, durationMs: since(startedAt), contentType, body };
  return truncated ? { ...output, truncated: true } : output;
}

/** A type alias, not an interface, so it is assignable to JsonValue's index signature. */
type CheckResult = {
  url: string;
  status: number | null;
  ok: boolean;
  durationMs: number;
  error?: string;
};

async function checkUrls(
  fetchImpl: typeof fetch,
  urls: readonly string[],
  plan: Omit<RequestPlan, "url">,
  signal: AbortSignal,
): Promise<JsonValue> {
  const results = await mapConcurrently(urls, CHECK_CONCURRENCY, (url) =>
    checkOne(fetchImpl, { ...plan, url }, signal),
  );
  const up = results.filter((result) => result.ok).length;
  const summary = results.map(summaryLine).join("\n");
  return { results, ok: up === results.length, up, down: results.length - up, summary };
}

async function checkOne(fetchImpl: typeof fetch, plan: RequestPlan, signal: AbortSignal): Promise<CheckResult> {
  const startedAt = performance.now();
  const attempt = await send(fetchImpl, plan, signal, async (response) => {
    await response.body?.cancel();
    return response.status;
  });
  const durationMs = since(startedAt);
  if (!attempt.ok) return { url: plan.url, status: null, ok: false, durationMs, error: attempt.reason };
  return { url: plan.url, status: attempt.value, ok: attempt.value >= 200 && attempt.value < 300, durationMs };
}

function summaryLine(result: CheckResult): string {
  const mark = result.ok ? "✅" : "❌";
  if (result.status === null) return `${mark} ${result.url} — ${result.error ?? "no response"}`;
  return `${mark} ${result.url} — ${describeStatus(result.status)} (${result.durationMs} ms)`;
}

type Attempt<T> = { ok: true; value: T } | { ok: false; reason: string; timedOut: boolean; cause: unknown };

/**
 * One request under the caller's signal plus the request's own timeout. Cancellation propagates as
 * a `cancelled` BatonError; a timeout or network failure comes back as a short reason.
 */
async function send<T>(
  fetchImpl: typeof fetch,
  plan: RequestPlan,
  signal: AbortSignal,
  handle: (response: Response) => Promise<T>,
): Promise<Attempt<T>> {
  const timeout = AbortSignal.timeout(plan.timeoutMs);
  const init: RequestInit = { method: plan.method, headers: plan.headers, signal: AbortSignal.any([signal, timeout]) };
  try {
    const response = await fetchImpl(plan.url, plan.body === undefined ? init : { ...init, body: plan.body });
    return { ok: true, value: await handle(response) };
  } catch (cause) {
    if (signal.aborted) throw new BatonError("cancelled", `${plan.method} ${plan.url} was cancelled.`, { cause });
    const timedOut = timeout.aborted;
    const reason = timedOut ? `timed out after ${plan.timeoutMs} ms` : networkReason(cause);
    return { ok: false, reason, timedOut, cause };
  }
}

async function readResponse(response: Response) {
  const contentType = response.headers.get("content-type");
  const { text, truncated } = await readCapped(response, MAX_BODY_BYTES);
  const body = isJson(contentType) && !truncated ? parseJson(text) : text;
  return { status: response.status, ok: response.ok, contentType, body, truncated };
}

async function readCapped(response: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader !== undefined && size <= maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  const truncated = size > maxBytes;
  if (truncated) await reader?.cancel();
  return { text: new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes)), truncated };
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
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed by the server",
};

/** undici reports `TypeError: fetch failed` and hides the reason in `cause` (sometimes nested twice). */
function networkReason(error: unknown): string {
  let current = error;
  let message = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    const known = typeof code === "string" ? NETWORK_REASONS[code] : undefined;
    if (known !== undefined) return known;
    message = current.message;
    current = current.cause;
  }
  return message;
}

function describeStatus(status: number): string {
  const text = STATUS_CODES[status];
  return text === undefined ? String(status) : `${status} ${text}`;
}

function since(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}

function isHttpUrl(value: string): boolean {
  const protocol = URL.canParse(value) ? new URL(value).protocol : "";
  return protocol === "http:" || protocol === "https:";
}

async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) {
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
