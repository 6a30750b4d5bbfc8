import { isIP } from "node:net";

/**
 * Where a URL points, normalised before any check. The WHATWG URL parser already lowercases the
 * host, decodes percent-escapes and rewrites every numeric IPv4 form (`2130706433`, `0x7f000001`,
 * `0177.0.0.1`, `127.1`) to dotted decimal; here brackets and trailing dots come off as well, so
 * `localhost.` and `[::1]` compare as `localhost` and `::1`.
 * @see https://url.spec.whatwg.org/#concept-ipv4-parser
 */
export interface EgressTarget {
  url: URL;
  /** Lowercase, without brackets or trailing dots. */
  hostname: string;
  port: number;
  /** 4 or 6 when the host is an IP literal, 0 for a name. */
  family: 0 | 4 | 6;
}

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };

export function targetOf(url: URL): EgressTarget {
  const bracketed = url.hostname.startsWith("[") && url.hostname.endsWith("]");
  const hostname = (bracketed ? url.hostname.slice(1, -1) : url.hostname).replace(/\.+$/, "");
  const port = url.port === "" ? (DEFAULT_PORTS[url.protocol] ?? 80) : Number(url.port);
  return { url, hostname, port, family: isIP(hostname) as 0 | 4 | 6 };
}

/** Names every resolver answers with a loopback address (RFC 6761 §6.3), refused without a lookup. */
export function isLoopbackName(hostname: string): boolean {
  return hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "localhost.localdomain";
}

/** How a host is written in `host:port` for BATON_HTTP_ALLOW: IPv6 in brackets. */
export function hostPort(target: Pick<EgressTarget, "hostname" | "port" | "family">): string {
  return `${target.family === 6 ? `[${target.hostname}]` : target.hostname}:${target.port}`;
}

/** The URL as messages show it: without the user name and password it may carry. */
export function shownUrl(url: URL): string {
  if (url.username === "" && url.password === "") return url.href;
  const shown = new URL(url.href);
  shown.username = "";
  shown.password = "";
  return shown.href;
}
