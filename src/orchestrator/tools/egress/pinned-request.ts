import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import type { CheckedTarget, ResolvedAddress } from "./egress-policy.js";

export interface PinnedRequestPlan {
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/**
 * One HTTP(S) request to a checked target. The socket's lookup answers with the addresses the
 * policy checked, never asking DNS again; the Host header and TLS SNI stay the URL's host name.
 * No agent: a pooled socket would outlive the check that let it open.
 */
export function pinnedRequest(target: CheckedTarget, plan: PinnedRequestPlan): Promise<IncomingMessage> {
  const secure = target.url.protocol === "https:";
  const options: RequestOptions & { servername?: string } = {
    method: plan.method,
    host: target.hostname,
    port: target.port,
    path: `${target.url.pathname}${target.url.search}`,
    headers: plan.headers,
    signal: plan.signal,
    agent: false,
    lookup: pinnedLookup(target.addresses),
    // Credentials in the URL become Basic auth, for this hop only (a redirect's URL carries its own).
    ...(target.url.username !== "" && { auth: basicAuth(target.url) }),
    ...(secure && target.family === 0 && { servername: target.hostname }),
  };
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(options, resolve);
    // `on`, not `once`: a socket can fail again after the first error, and an unheard error would crash the process.
    request.on("error", reject);
    request.end(plan.body);
  });
}

function basicAuth(url: URL): string {
  return `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
}

/** A `lookup` that hands the socket the checked addresses (all of them when net asks for all). */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
    const usable = addresses.filter((entry) => wanted === 0 || entry.family === wanted);
    const first = usable[0];
    if (first === undefined) {
      const error = Object.assign(new Error("no checked address of the requested family"), { code: "ENOTFOUND" });
      return callback(error, "", 0);
    }
    if (options.all)
      return (callback as AllCallback)(
        null,
        usable.map((entry) => ({ ...entry })),
      );
    callback(null, first.address, first.family);
  };
}

type AllCallback = (error: NodeJS.ErrnoException | null, addresses: ResolvedAddress[]) => void;
