import { BlockList, isIP, isIPv6 } from "node:net";

/**
 * BATON_HTTP_ALLOW: the exceptions an admin opens in the egress policy. Each entry is a host name
 * (`api.internal`, `*.corp.example`), an IP address, either with `:port` (`[::1]:8080`), or a CIDR
 * range (`10.0.0.0/8`, `fd00::/8`). A name entry lets baton fetch that name whatever it resolves to;
 * an address or range entry lets baton connect to those addresses under any name.
 */
export type AllowEntry =
  | { kind: "name"; name: string; port: number | null }
  | { kind: "suffix"; suffix: string; port: number | null }
  | { kind: "address"; address: string; family: 4 | 6; port: number | null }
  | { kind: "range"; network: string; prefix: number; family: 4 | 6 };

export interface AllowListParse {
  entries: AllowEntry[];
  /** One sentence per entry that is not understood. */
  problems: string[];
}

const EXAMPLES = "e.g. `api.internal`, `*.corp.example`, `10.0.0.5:8080`, `[fd00::5]:443` or `10.0.0.0/8`";
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

export function parseAllowList(text: string): AllowListParse {
  const entries: AllowEntry[] = [];
  const problems: string[] = [];
  for (const raw of text.split(",").map((part) => part.trim())) {
    if (raw === "") continue;
    const parsed = parseEntry(raw);
    if (typeof parsed === "string") problems.push(`BATON_HTTP_ALLOW: \`${raw}\` ${parsed}.`);
    else entries.push(parsed);
  }
  return { entries, problems };
}

/** An entry, or the end of a sentence saying what is wrong with it. */
function parseEntry(raw: string): AllowEntry | string {
  if (raw.includes("/")) return parseRange(raw);
  const split = splitPort(raw);
  if (typeof split === "string") return split;
  const { host, port } = split;
  const family = isIP(host);
  if (family !== 0) return { kind: "address", address: canonicalAddress(host), family: family as 4 | 6, port };
  const wildcard = host.startsWith("*.");
  const name = normalizeName(wildcard ? host.slice(2) : host);
  if (name === null) return `is not a host, host:port or CIDR range (${EXAMPLES})`;
  const numeric = isIP(name);
  if (numeric !== 0 && !wildcard) return { kind: "address", address: name, family: numeric as 4 | 6, port };
  return wildcard ? { kind: "suffix", suffix: name, port } : { kind: "name", name, port };
}

function splitPort(raw: string): { host: string; port: number | null } | string {
  if (raw.startsWith("[")) {
    const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
    if (!match?.[1] || !isIPv6(match[1])) return `is not a bracketed IPv6 address (${EXAMPLES})`;
    return withPort(match[1], match[2]);
  }
  if (isIPv6(raw)) return { host: raw, port: null };
  const colon = raw.lastIndexOf(":");
  if (colon === -1) return { host: raw, port: null };
  return withPort(raw.slice(0, colon), raw.slice(colon + 1));
}

function withPort(host: string, portText: string | undefined): { host: string; port: number | null } | string {
  if (portText === undefined) return { host, port: null };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 1 && port <= 65_535)) return "has a port that is not a number from 1 to 65535";
  return { host, port };
}

function parseRange(raw: string): AllowEntry | string {
  const [network = "", prefixText = "", extra] = raw.split("/");
  const family = isIP(network);
  if (family === 0 || extra !== undefined) return `is not a CIDR range (${EXAMPLES})`;
  const bits = family === 4 ? 32 : 128;
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= bits)) return `has a prefix length that is not a number from 0 to ${bits}`;
  return { kind: "range", network, prefix, family: family as 4 | 6 };
}

/**
 * The host as the URL parser sees it (lowercase, IDN to punycode, numeric IPv4 forms to dotted),
 * without trailing dots; null when it is not a host name.
 */
function normalizeName(host: string): string | null {
  if (host === "" || !URL.canParse(`http://${host}/`)) return null;
  const name = new URL(`http://${host}/`).hostname.replace(/\.+$/, "");
  return name.split(".").every((label) => LABEL.test(label)) ? name : null;
}

function canonicalAddress(address: string): string {
  return isIPv6(address) ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
}

/** What one connection is: the URL's host (normalised), its port, and the address baton would connect to. */
export interface Destination {
  hostname: string;
  port: number;
  address: string;
}

/** Matches destinations against the entries: names by host name, addresses and ranges by address. */
export class AllowList {
  private readonly ranges = new BlockList();
  private readonly hasRanges: boolean;

  constructor(private readonly entries: readonly AllowEntry[] = []) {
    for (const entry of entries) {
      if (entry.kind === "range") this.ranges.addSubnet(entry.network, entry.prefix, `ipv${entry.family}`);
    }
    this.hasRanges = entries.some((entry) => entry.kind === "range");
  }

  get size(): number {
    return this.entries.length;
  }

  /** An entry naming this host (and port), so any address it resolves to may be fetched. */
  allowsName(hostname: string, port: number): boolean {
    return this.entries.some((entry) => {
      if (entry.kind === "name") return entry.name === hostname && portMatches(entry.port, port);
      if (entry.kind === "suffix") return hostname.endsWith(`.${entry.suffix}`) && portMatches(entry.port, port);
      return false;
    });
  }

  /** An address or range entry holding this address (and port). */
  allowsAddress(address: string, port: number): boolean {
    const canonical = canonicalAddress(address);
    const exact = this.entries.some(
      (entry) => entry.kind === "address" && entry.address === canonical && portMatches(entry.port, port),
    );
    if (exact || !this.hasRanges) return exact;
    return this.ranges.check(address, isIPv6(address) ? "ipv6" : "ipv4");
  }
}

function portMatches(allowed: number | null, port: number): boolean {
  return allowed === null || allowed === port;
}
