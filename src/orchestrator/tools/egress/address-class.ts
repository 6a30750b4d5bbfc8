import { BlockList, isIPv4, isIPv6 } from "node:net";

/**
 * Which kind of non-public address an IP is, or null for a public one. The ranges are IANA's
 * special-purpose registries (RFC 6890 and successors); IPv6 forms that carry an IPv4 address
 * (mapped, compatible, NAT64, 6to4) are judged by the address they carry.
 * @see https://www.iana.org/assignments/iana-ipv4-special-registry/
 * @see https://www.iana.org/assignments/iana-ipv6-special-registry/
 */
export type AddressKind =
  | "unspecified"
  | "loopback"
  | "private"
  | "link-local"
  | "shared"
  | "multicast"
  | "broadcast"
  | "documentation"
  | "benchmarking"
  | "reserved";

export interface AddressClass {
  kind: AddressKind;
  /** Finishes "<address> is …", e.g. "a loopback address". */
  label: string;
}

const LABELS: Record<AddressKind, string> = {
  unspecified: "an unspecified (this-network) address",
  loopback: "a loopback address",
  private: "a private address",
  "link-local": "a link-local address",
  shared: "a shared (CGNAT) address",
  multicast: "a multicast address",
  broadcast: "a broadcast address",
  documentation: "a documentation address",
  benchmarking: "a benchmarking address",
  reserved: "a reserved address",
};

type Rule = [network: string, prefix: number];

/** Checked in this order: the first kind whose ranges hold the address names it. */
const IPV4_RULES: Array<[AddressKind, Rule[]]> = [
  ["broadcast", [["255.255.255.255", 32]]],
  ["unspecified", [["0.0.0.0", 8]]],
  ["loopback", [["127.0.0.0", 8]]],
  [
    "private",
    [
      ["10.0.0.0", 8],
      ["172.16.0.0", 12],
      ["192.168.0.0", 16],
    ],
  ],
  ["link-local", [["169.254.0.0", 16]]],
  ["shared", [["100.64.0.0", 10]]],
  [
    "documentation",
    [
      ["192.0.2.0", 24],
      ["198.51.100.0", 24],
      ["203.0.113.0", 24],
    ],
  ],
  ["benchmarking", [["198.18.0.0", 15]]],
  ["multicast", [["224.0.0.0", 4]]],
  [
    "reserved",
    [
      ["192.0.0.0", 24],
      ["192.88.99.0", 24],
      ["240.0.0.0", 4],
    ],
  ],
];

const IPV6_RULES: Array<[AddressKind, Rule[]]> = [
  ["unspecified", [["::", 128]]],
  ["loopback", [["::1", 128]]],
  [
    "private",
    [
      ["fc00::", 7],
      ["fec0::", 10],
      ["64:ff9b:1::", 48],
    ],
  ],
  ["link-local", [["fe80::", 10]]],
  ["multicast", [["ff00::", 8]]],
  [
    "documentation",
    [
      ["2001:db8::", 32],
      ["3fff::", 20],
    ],
  ],
  ["benchmarking", [["2001:2::", 48]]],
  [
    "reserved",
    [
      ["100::", 64],
      ["2001::", 23],
      ["5f00::", 16],
    ],
  ],
];

function compile(family: "ipv4" | "ipv6", rules: Array<[AddressKind, Rule[]]>): Array<[AddressKind, BlockList]> {
  return rules.map(([kind, ranges]) => {
    const list = new BlockList();
    for (const [network, prefix] of ranges) list.addSubnet(network, prefix, family);
    return [kind, list];
  });
}

const IPV4 = compile("ipv4", IPV4_RULES);
const IPV6 = compile("ipv6", IPV6_RULES);

/** Cloud metadata endpoints (AWS, GCP, Azure, OpenStack; AWS's IPv6 one), named as such in refusals. */
const METADATA = new Set(["169.254.169.254", "169.254.170.2", "fd00:ec2::254"]);

/** The class of `address` (an IPv4 or IPv6 literal, no brackets), or null when it is public. */
export function classifyAddress(address: string): AddressClass | null {
  const bare = address.split("%")[0] ?? address;
  if (isIPv4(bare)) return classOf(kindIn(IPV4, bare, "ipv4"), bare);
  const hextets = ipv6Hextets(bare);
  if (hextets === null) return { kind: "reserved", label: "not an IP address" };
  const embedded = embeddedIpv4(hextets);
  if (embedded !== null) return embeddedClass(embedded, hextets);
  const kind = kindIn(IPV6, bare, "ipv6");
  if (kind !== null) return classOf(kind, bare.toLowerCase());
  // Only 2000::/3 is global unicast; everything else is unassigned or special.
  return (hextets[0] ?? 0) >> 13 === 1 ? null : classOf("reserved", bare);
}

function kindIn(table: Array<[AddressKind, BlockList]>, address: string, family: "ipv4" | "ipv6") {
  return table.find(([, list]) => list.check(address, family))?.[0] ?? null;
}

function classOf(kind: AddressKind | null, address: string): AddressClass | null {
  if (kind === null) return null;
  const label = METADATA.has(address) ? `${LABELS[kind]} (cloud metadata)` : LABELS[kind];
  return { kind, label };
}

/** ::ffff:a.b.c.d and 64:ff9b::a.b.c.d reach the IPv4 address; ::a.b.c.d and 6to4 are judged by it too. */
function embeddedClass(ipv4: string, hextets: number[]): AddressClass | null {
  const inner = classifyAddress(ipv4);
  const deprecatedCompatible = hextets.slice(0, 6).every((h) => h === 0);
  if (inner === null) return deprecatedCompatible ? { kind: "reserved", label: LABELS.reserved } : null;
  return { kind: inner.kind, label: `${inner.label} (${ipv4} in ${describeForm(hextets)} form)` };
}

function describeForm(hextets: number[]): string {
  if (hextets[0] === 0x2002) return "6to4";
  if (hextets[0] === 0x64 && hextets[1] === 0xff9b) return "NAT64";
  return hextets[5] === 0xffff ? "IPv4-mapped IPv6" : "IPv4-compatible IPv6";
}

/** The IPv4 address an IPv6 address carries, for the forms that route to it; null otherwise. */
function embeddedIpv4(h: number[]): string | null {
  const zeros = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
  const fromTail = () => dotted(h[6] ?? 0, h[7] ?? 0);
  if (zeros(0, 5) && h[5] === 0xffff) return fromTail();
  if (h[0] === 0x64 && h[1] === 0xff9b && zeros(2, 6)) return fromTail();
  if (h[0] === 0x2002) return dotted(h[1] ?? 0, h[2] ?? 0);
  // ::a.b.c.d (deprecated "compatible"); :: and ::1 themselves are classified as IPv6.
  if (zeros(0, 6) && ((h[6] ?? 0) !== 0 || (h[7] ?? 0) > 1)) return fromTail();
  return null;
}

function dotted(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
}

/** The eight 16-bit groups of an IPv6 literal (with or without a dotted IPv4 tail), or null. */
export function ipv6Hextets(address: string): number[] | null {
  if (!isIPv6(address)) return null;
  let text = address;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  const last = text.slice(lastColon + 1);
  if (last.includes(".")) {
    const [a = 0, b = 0, c = 0, d = 0] = last.split(".").map(Number);
    tail = [(a << 8) | b, (c << 8) | d];
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((group) => Number.parseInt(group, 16)));
  const [head = "", rest] = text.split("::");
  const before = groups(head);
  const after = rest === undefined ? [] : groups(rest);
  const hextets = [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
  if (tail.length === 2) hextets.splice(6, 2, ...tail);
  return hextets;
}
