import type { IncomingMessage } from "node:http";
import { BatonError } from "../../../errors.js";
import type { EgressPolicy } from "./egress-policy.js";
import { shownUrl } from "./egress-target.js";
import { pinnedRequest } from "./pinned-request.js";
import type { RequestBudget } from "./request-budget.js";

export const MAX_REDIRECTS = 5;

export interface EgressRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface EgressResponse {
  status: number;
  /** The URL that answered, after redirects. */
  url: string;
  contentType: string | null;
  body: IncomingMessage;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that carry the caller's credentials; they do not follow a redirect to another origin. */
const CREDENTIALS = new Set(["authorization", "cookie", "proxy-authorization"]);

/**
 * HTTP through the egress policy: every hop is checked (and counted) before it connects, and
 * redirects are followed here, never by the transport, at most MAX_REDIRECTS times.
 */
export class EgressClient {
  constructor(private readonly policy: EgressPolicy) {}

  async request(first: EgressRequest, budget: RequestBudget): Promise<EgressResponse> {
    let hop: Hop = { ...first, url: new URL(first.url) };
    let from: URL | undefined;
    for (let redirects = 0; ; redirects += 1) {
      budget.take(hop.method, hop.url);
      const target = await untilAborted(this.policy.check(hop.url, from), hop.signal);
      const response = await pinnedRequest(target, hop);
      const status = response.statusCode ?? 0;
      const location = REDIRECTS.has(status) ? response.headers.location : undefined;
      if (location === undefined) {
        const contentType = response.headers["content-type"] ?? null;
        return { status, url: hop.url.href, contentType, body: response };
      }
      response.destroy();
      if (redirects >= MAX_REDIRECTS) {
        throw new BatonError(
          "http_error",
          `${shownUrl(new URL(first.url))} redirected more than ${MAX_REDIRECTS} times.`,
        );
      }
      from = hop.url;
      hop = nextHop(hop, status, location);
    }
  }
}

type Hop = Omit<EgressRequest, "url"> & { url: URL };

/** A slow resolver must not outlive the request's timeout or a cancellation. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function nextHop(hop: Hop, status: number, location: string): Hop {
  const url = URL.canParse(location, hop.url.href) ? new URL(location, hop.url) : null;
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new BatonError("http_error", `${shownUrl(hop.url)} redirected to a URL that is not http(s).`);
  }
  const sameOrigin = url.origin === hop.url.origin;
  const headers = Object.fromEntries(
    Object.entries(hop.headers).filter(([name]) => sameOrigin || !CREDENTIALS.has(name.toLowerCase())),
  );
  // As browsers do: 303 always, and 301/302 after a POST, become a GET without a body.
  const toGet = status === 303 || ((status === 301 || status === 302) && hop.method === "POST");
  if (!toGet) return { ...hop, url, headers };
  const { body: _body, ...rest } = hop;
  const withoutBodyHeaders = Object.fromEntries(
    Object.entries(headers).filter(([name]) => !/^content-(type|length)$/i.test(name)),
  );
  return { ...rest, url, method: "GET", headers: withoutBodyHeaders };
}
