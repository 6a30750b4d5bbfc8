import pLimit from "p-limit";
import { z } from "zod";
import { BatonError } from "../../errors.js";
import type { EgressClient } from "./egress/egress-client.js";
import type { RequestBudgets } from "./egress/request-budget.js";
import { describeStatus, type HttpChannel, type RequestPlan, readResponse, send } from "./http-send.js";
import type { JsonValue, Tool, ToolRunContext } from "./types.js";

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
  /** Every connection goes through the egress policy. */
  client: EgressClient;
  /** Requests per run (execution). */
  budgets: RequestBudgets;
}

function channelFor(options: HttpToolOptions, context: ToolRunContext): HttpChannel {
  return { client: options.client, budget: options.budgets.for(context.runId) };
}

/** `url`: one request, its status and body. `urls`: a healthcheck that reports every URL, up or down. */
export function createHttpGetTool(options: HttpToolOptions): Tool<HttpGetArgs> {
  return {
    name: "http.get",
    description:
      "GETs `url` and returns status and body, or checks every URL in `urls` (a list or a comma/space separated string) and returns a summary.",
    idempotent: true,
    args: HttpGetArgs,
    run: (args, context) =>
      "urls" in args
        ? checkUrls(channelFor(options, context), args.urls, { ...args, method: "GET" }, context.signal)
        : requestOne(channelFor(options, context), { ...args, method: "GET" }, args.failOnStatus, context.signal),
  };
}

/** POSTs `body` (text, or JSON when it is an object or a list) to `url`. Not idempotent: never re-run blindly. */
export function createHttpPostTool(options: HttpToolOptions): Tool<HttpPostArgs> {
  return {
    name: "http.post",
    description: "POSTs `body` (text, or JSON for an object) to `url` and returns status and body.",
    idempotent: false,
    args: HttpPostArgs,
    run: (args, context) => requestOne(channelFor(options, context), postPlan(args), args.failOnStatus, context.signal),
  };
}

function postPlan({ url, body, headers, timeoutMs }: HttpPostArgs): RequestPlan {
  const plan: RequestPlan = { method: "POST", url, headers, timeoutMs };
  if (body === undefined) return plan;
  const hasContentType = Object.keys(headers).some((name) => name.toLowerCase() === "content-type");
  const text = typeof body === "string";
  const contentType = text ? "text/plain;charset=UTF-8" : "application/json";
  const withType = hasContentType ? headers : { ...headers, "content-type": contentType };
  return { ...plan, headers: withType, body: text ? body : JSON.stringify(body) };
}

async function requestOne(
  channel: HttpChannel,
  plan: RequestPlan,
  failOnStatus: boolean,
  signal: AbortSignal,
): Promise<JsonValue> {
  const startedAt = performance.now();
  const attempt = await send(channel, plan, signal, readResponse);
  if (!attempt.ok && attempt.stopped) throw attempt.stopped;
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
  /** True when the egress policy or the request budget refused it: no connection was attempted. */
  refused?: boolean;
};

async function checkUrls(
  channel: HttpChannel,
  urls: readonly string[],
  plan: Omit<RequestPlan, "url">,
  signal: AbortSignal,
): Promise<JsonValue> {
  const results = await pLimit(CHECK_CONCURRENCY).map(urls, (url) => checkOne(channel, { ...plan, url }, signal));
  const up = results.filter((result) => result.ok).length;
  const summary = results.map(summaryLine).join("\n");
  return { results, ok: up === results.length, up, down: results.length - up, summary };
}

async function checkOne(channel: HttpChannel, plan: RequestPlan, signal: AbortSignal): Promise<CheckResult> {
  const startedAt = performance.now();
  const attempt = await send(channel, plan, signal, async (response) => response.status);
  const durationMs = since(startedAt);
  if (!attempt.ok && attempt.stopped) {
    const refused = attempt.stopped.code === "denied";
    return { url: plan.url, status: null, ok: false, durationMs, error: attempt.stopped.message, refused };
  }
  if (!attempt.ok) return { url: plan.url, status: null, ok: false, durationMs, error: attempt.reason };
  return { url: plan.url, status: attempt.value, ok: attempt.value >= 200 && attempt.value < 300, durationMs };
}

function summaryLine(result: CheckResult): string {
  const mark = result.ok ? "✅" : "❌";
  if (result.status === null) return `${mark} ${result.url} — ${result.error ?? "no response"}`;
  return `${mark} ${result.url} — ${describeStatus(result.status)} (${result.durationMs} ms)`;
}

function since(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}

function isHttpUrl(value: string): boolean {
  const protocol = URL.canParse(value) ? new URL(value).protocol : "";
  return protocol === "http:" || protocol === "https:";
}
