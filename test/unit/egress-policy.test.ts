import { describe, expect, it } from "vitest";
import { classifyAddress } from "../../src/orchestrator/tools/egress/address-class.js";
import { parseAllowList } from "../../src/orchestrator/tools/egress/allow-list.js";
import {
  EgressPolicy,
  type ResolvedAddress,
  type Resolver,
} from "../../src/orchestrator/tools/egress/egress-policy.js";
import { targetOf } from "../../src/orchestrator/tools/egress/egress-target.js";

/** A resolver that answers from a table and records every name it was asked. */
function dns(table: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolver = async (hostname: string): Promise<ResolvedAddress[]> => {
    asked.push(hostname);
    return (table[hostname] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return Object.assign(resolver, { asked });
}

async function refusal(policy: EgressPolicy, url: string): Promise<string> {
  try {
    await policy.check(new URL(url));
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${url} was let through`);
}

describe("classifyAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["169.254.0.1", "link-local"],
    ["fe80::1", "link-local"],
    ["febf::1", "link-local"],
    ["100.64.0.1", "shared"],
    ["100.127.255.255", "shared"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["::", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["192.0.0.8", "reserved"],
    ["198.18.0.1", "benchmarking"],
    ["198.19.255.255", "benchmarking"],
    ["2001:2::1", "benchmarking"],
    ["192.0.2.1", "documentation"],
    ["198.51.100.7", "documentation"],
    ["203.0.113.9", "documentation"],
    ["2001:db8::1", "documentation"],
    ["2001::1", "reserved"],
    ["100::1", "reserved"],
    ["1::", "reserved"],
  ])("%s is %s", (address, kind) => {
    expect(classifyAddress(address)?.kind).toBe(kind);
  });

  it("names the cloud metadata endpoint", () => {
    expect(classifyAddress("169.254.169.254")).toEqual({
      kind: "link-local",
      label: "a link-local address (cloud metadata)",
    });
    expect(classifyAddress("fd00:ec2::254")?.label).toBe("a private address (cloud metadata)");
  });

  it.each([
    ["::ffff:127.0.0.1", "loopback", "IPv4-mapped IPv6"],
    ["::ffff:7f00:1", "loopback", "IPv4-mapped IPv6"],
    ["0:0:0:0:0:ffff:a9fe:a9fe", "link-local", "IPv4-mapped IPv6"],
    ["::127.0.0.1", "loopback", "IPv4-compatible IPv6"],
    ["64:ff9b::10.0.0.1", "private", "NAT64"],
    ["64:ff9b::a9fe:a9fe", "link-local", "NAT64"],
    ["2002:7f00:1::", "loopback", "6to4"],
    ["2002:c0a8:101::1", "private", "6to4"],
  ])("%s is judged by the IPv4 address it carries (%s via %s)", (address, kind, form) => {
    const found = classifyAddress(address);
    expect(found?.kind).toBe(kind);
    expect(found?.label).toContain(`in ${form} form`);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "100.63.255.255",
    "100.128.0.0",
    "172.32.0.1",
    "169.253.255.255",
    "2606:4700:4700::1111",
    "2a00:1450:4001::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
  ])("%s is public", (address) => {
    expect(classifyAddress(address)).toBeNull();
  });

  it("refuses an IPv4-compatible form even of a public address (deprecated, never routed)", () => {
    expect(classifyAddress("::8.8.8.8")?.kind).toBe("reserved");
  });
});

describe("URL host normalisation", () => {
  it.each([
    ["http://2130706433:8080/", "127.0.0.1"],
    ["http://0x7f000001:8080/", "127.0.0.1"],
    ["http://0x7F.0.0.1/", "127.0.0.1"],
    ["http://127.1/", "127.0.0.1"],
    ["http://127.0.1/", "127.0.0.1"],
    ["http://0177.0.0.1/", "127.0.0.1"],
    ["http://017700000001/", "127.0.0.1"],
    ["http://127.0.0.1./", "127.0.0.1"],
    ["http://0/", "0.0.0.0"],
    ["http://[::1]/", "::1"],
    ["http://[0:0:0:0:0:0:0:1]/", "::1"],
    ["http://[::FFFF:127.0.0.1]/", "::ffff:7f00:1"],
    ["http://LOCALHOST/", "localhost"],
    ["http://localhost./", "localhost"],
    ["http://LocalHost../", "localhost"],
    ["http://%6c%6fcalhost/", "localhost"],
    ["http://Api.Example.COM./x", "api.example.com"],
  ])("%s is host %s", (url, hostname) => {
    expect(targetOf(new URL(url)).hostname).toBe(hostname);
  });

  it("knows the port, default or given", () => {
    expect(targetOf(new URL("http://example.com/")).port).toBe(80);
    expect(targetOf(new URL("https://example.com/")).port).toBe(443);
    expect(targetOf(new URL("http://example.com:8443/")).port).toBe(8443);
  });
});

describe("EgressPolicy", () => {
  it.each([
    ["http://2130706433:8080/", "127.0.0.1 is a loopback address", "127.0.0.1:8080"],
    ["http://0x7f000001:8080/", "127.0.0.1 is a loopback address", "127.0.0.1:8080"],
    ["http://127.1:8080/", "127.0.0.1 is a loopback address", "127.0.0.1:8080"],
    ["http://0177.0.0.1:8080/", "127.0.0.1 is a loopback address", "127.0.0.1:8080"],
    ["http://0.0.0.0:8080/", "0.0.0.0 is an unspecified (this-network) address", "0.0.0.0:8080"],
    ["http://[::1]:8080/", "::1 is a loopback address", "[::1]:8080"],
    ["http://[::]/", ":: is an unspecified (this-network) address", "[::]:80"],
    [
      "http://[::ffff:127.0.0.1]/",
      "::ffff:7f00:1 is a loopback address (127.0.0.1 in IPv4-mapped IPv6 form)",
      "[::ffff:7f00:1]:80",
    ],
    [
      "http://169.254.169.254/latest/meta-data/",
      "169.254.169.254 is a link-local address (cloud metadata)",
      "169.254.169.254:80",
    ],
    ["http://10.0.0.1/", "10.0.0.1 is a private address", "10.0.0.1:80"],
    ["http://100.64.0.1/", "100.64.0.1 is a shared (CGNAT) address", "100.64.0.1:80"],
    ["https://[fe80::1]/", "fe80::1 is a link-local address", "[fe80::1]:443"],
    ["http://localhost:8080/", "localhost is a loopback name", "localhost:8080"],
    ["http://localhost.:8080/", "localhost is a loopback name", "localhost:8080"],
    ["http://LOCALHOST:8080/", "localhost is a loopback name", "localhost:8080"],
    ["http://admin.localhost/", "admin.localhost is a loopback name", "admin.localhost:80"],
  ])("refuses %s in one sentence naming the class and the way to allow it", async (url, why, allow) => {
    const resolver = dns({});
    const message = await refusal(new EgressPolicy({ resolver }), url);
    expect(message).toBe(
      `baton does not fetch ${new URL(url).href} — ${why}; an admin can allow it with BATON_HTTP_ALLOW=${allow}.`,
    );
    // Literals and loopback names are judged without asking DNS.
    expect(resolver.asked).toEqual([]);
  });

  it("checks the addresses a name resolves to, and refuses a name if any of them is internal", async () => {
    const resolver = dns({
      "internal.example": ["10.0.0.5"],
      "mixed.example": ["93.184.216.34", "127.0.0.1"],
      "public.example": ["93.184.216.34", "2606:4700::1"],
    });
    const policy = new EgressPolicy({ resolver });
    expect(await refusal(policy, "http://internal.example:8080/")).toBe(
      "baton does not fetch http://internal.example:8080/ — internal.example resolves to 10.0.0.5, a private address; an admin can allow it with BATON_HTTP_ALLOW=internal.example:8080.",
    );
    expect(await refusal(policy, "https://mixed.example/")).toContain(
      "mixed.example resolves to 127.0.0.1, a loopback address",
    );
    const checked = await policy.check(new URL("https://public.example/"));
    expect(checked.addresses.map((a) => a.address)).toEqual(["93.184.216.34", "2606:4700::1"]);
  });

  it("never repeats the credentials a URL carries", async () => {
    const message = await refusal(new EgressPolicy({ resolver: dns({}) }), "http://admin:hunter2@10.0.0.1:8080/x");
    expect(message).toBe(
      "baton does not fetch http://10.0.0.1:8080/x — 10.0.0.1 is a private address; an admin can allow it with BATON_HTTP_ALLOW=10.0.0.1:8080.",
    );
  });

  it("names the page that redirected to a refused address", async () => {
    const policy = new EgressPolicy({ resolver: dns({}) });
    const error = await policy
      .check(new URL("http://169.254.169.254/latest"), new URL("https://public.example/go"))
      .catch((caught: Error) => caught);
    expect((error as Error).message).toBe(
      "baton does not fetch http://169.254.169.254/latest (redirected from https://public.example/go) — 169.254.169.254 is a link-local address (cloud metadata); an admin can allow it with BATON_HTTP_ALLOW=169.254.169.254:80.",
    );
  });

  it("opens the exceptions BATON_HTTP_ALLOW lists: names, host:port, addresses and CIDR ranges", async () => {
    const resolver = dns({
      "db.internal": ["10.0.0.9"],
      "ci.corp.example": ["10.1.0.3"],
      "other.internal": ["10.2.0.1"],
      localhost: ["127.0.0.1"],
      "corp.example.evil": ["10.9.9.9"],
    });
    const allow = parseAllowList(
      "db.internal, localhost:8080, 127.0.0.1:9000, *.corp.example, 192.168.0.0/16, [::1]:3000, fd00::/8",
    );
    expect(allow.problems).toEqual([]);
    const policy = new EgressPolicy({ allow: allow.entries, resolver });
    const passes = async (url: string) => (await policy.check(new URL(url))).hostname;
    expect(await passes("http://db.internal:5432/")).toBe("db.internal");
    expect(await passes("http://localhost:8080/")).toBe("localhost");
    expect(await passes("http://127.0.0.1:9000/")).toBe("127.0.0.1");
    expect(await passes("http://2130706433:9000/")).toBe("127.0.0.1");
    expect(await passes("https://ci.corp.example/")).toBe("ci.corp.example");
    expect(await passes("http://192.168.7.7/")).toBe("192.168.7.7");
    expect(await passes("http://[::1]:3000/")).toBe("::1");
    expect(await passes("http://[fd00::1234]/")).toBe("fd00::1234");
    // Only what was listed: another port, another name, another range stay refused.
    expect(await refusal(policy, "http://localhost:8081/")).toContain("localhost is a loopback name");
    expect(await refusal(policy, "http://127.0.0.1:9001/")).toContain("127.0.0.1 is a loopback address");
    expect(await refusal(policy, "http://[::1]:3001/")).toContain("::1 is a loopback address");
    expect(await refusal(policy, "http://other.internal/")).toContain("other.internal resolves to 10.2.0.1");
    expect(await refusal(policy, "http://corp.example.evil/")).toContain("corp.example.evil resolves to 10.9.9.9");
  });
});

describe("parseAllowList", () => {
  it("reads hosts, host:port, addresses, bracketed IPv6 and CIDR ranges", () => {
    const { entries, problems } = parseAllowList(
      " API.Internal. , api.internal:8443,10.0.0.5:8080,[fd00::5]:443, ::1 ,10.0.0.0/8, fd00::/8 ,*.corp.example",
    );
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      { kind: "name", name: "api.internal", port: null },
      { kind: "name", name: "api.internal", port: 8443 },
      { kind: "address", address: "10.0.0.5", family: 4, port: 8080 },
      { kind: "address", address: "fd00::5", family: 6, port: 443 },
      { kind: "address", address: "::1", family: 6, port: null },
      { kind: "range", network: "10.0.0.0", prefix: 8, family: 4 },
      { kind: "range", network: "fd00::", prefix: 8, family: 6 },
      { kind: "suffix", suffix: "corp.example", port: null },
    ]);
  });

  it("reads a numeric IPv4 form as the address it stands for", () => {
    expect(parseAllowList("127.1:8080").entries).toEqual([
      { kind: "address", address: "127.0.0.1", family: 4, port: 8080 },
    ]);
  });

  it("gives one sentence per entry it does not understand", () => {
    const { entries, problems } = parseAllowList(
      "ok.example, bad host, api:http, 10.0.0.0/33, fd00::/129, [nope]:1, host:70000, 10.0.0.0/8/1",
    );
    expect(entries).toEqual([{ kind: "name", name: "ok.example", port: null }]);
    expect(problems).toEqual([
      "BATON_HTTP_ALLOW: `bad host` is not a host, host:port or CIDR range (e.g. `api.internal`, `*.corp.example`, `10.0.0.5:8080`, `[fd00::5]:443` or `10.0.0.0/8`).",
      "BATON_HTTP_ALLOW: `api:http` has a port that is not a number from 1 to 65535.",
      "BATON_HTTP_ALLOW: `10.0.0.0/33` has a prefix length that is not a number from 0 to 32.",
      "BATON_HTTP_ALLOW: `fd00::/129` has a prefix length that is not a number from 0 to 128.",
      "BATON_HTTP_ALLOW: `[nope]:1` is not a bracketed IPv6 address (e.g. `api.internal`, `*.corp.example`, `10.0.0.5:8080`, `[fd00::5]:443` or `10.0.0.0/8`).",
      "BATON_HTTP_ALLOW: `host:70000` has a port that is not a number from 1 to 65535.",
      "BATON_HTTP_ALLOW: `10.0.0.0/8/1` is not a CIDR range (e.g. `api.internal`, `*.corp.example`, `10.0.0.5:8080`, `[fd00::5]:443` or `10.0.0.0/8`).",
    ]);
  });
});
