import { lookup } from "node:dns/promises";
import { BatonError } from "../../../errors.js";
import { type AddressClass, classifyAddress } from "./address-class.js";
import { type AllowEntry, AllowList } from "./allow-list.js";
import { type EgressTarget, hostPort, isLoopbackName, shownUrl, targetOf } from "./egress-target.js";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Turns a host name into addresses; the seam tests replace to play a DNS server (rebinding included). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system's resolver (getaddrinfo: /etc/hosts, then DNS), every address it returns, in its order. */
export const systemResolver: Resolver = async (hostname) => {
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

/** A destination the policy let through: connect to these addresses, and only these. */
export interface CheckedTarget extends EgressTarget {
  addresses: ResolvedAddress[];
}

/** A connection the policy refused before any was attempted; not retryable, since a retry is refused too. */
export class EgressRefusedError extends BatonError {
  constructor(message: string) {
    super("denied", message, { retryable: false });
    this.name = "EgressRefusedError";
  }
}

export interface EgressPolicyOptions {
  allow?: readonly AllowEntry[];
  resolver?: Resolver;
}

/**
 * Decides, per connection, whether baton may open it. A host is resolved once, here; every address
 * it resolves to must be public (or allowed), and the caller connects to exactly those addresses,
 * so a DNS answer that changes between check and connect (rebinding) cannot redirect the socket.
 * A name with any refused address is refused as a whole: a resolver that mixes one public and one
 * internal answer must not win by happy-eyeballs fallback.
 */
export class EgressPolicy {
  private readonly allow: AllowList;
  private readonly resolver: Resolver;

  constructor(options: EgressPolicyOptions = {}) {
    this.allow = new AllowList(options.allow ?? []);
    this.resolver = options.resolver ?? systemResolver;
  }

  async check(url: URL, redirectedFrom?: URL): Promise<CheckedTarget> {
    const target = targetOf(url);
    const refuse = (why: string) => new EgressRefusedError(refusalSentence(target, why, redirectedFrom));
    if (target.family !== 0) {
      const refused = this.refusedClass(target.hostname, target.port);
      if (refused) throw refuse(`${target.hostname} is ${refused.label}`);
      return { ...target, addresses: [{ address: target.hostname, family: target.family }] };
    }
    const named = this.allow.allowsName(target.hostname, target.port);
    if (!named && isLoopbackName(target.hostname)) throw refuse(`${target.hostname} is a loopback name`);
    const addresses = await this.resolve(target.hostname);
    for (const { address } of named ? [] : addresses) {
      const refused = this.refusedClass(address, target.port);
      if (refused) throw refuse(`${target.hostname} resolves to ${address}, ${refused.label}`);
    }
    return { ...target, addresses };
  }

  private refusedClass(address: string, port: number): AddressClass | null {
    const found = classifyAddress(address);
    return found === null || this.allow.allowsAddress(address, port) ? null : found;
  }

  private async resolve(hostname: string): Promise<ResolvedAddress[]> {
    const addresses = await this.resolver(hostname);
    if (addresses.length > 0) return addresses;
    throw Object.assign(new Error(`${hostname} has no addresses`), { code: "ENOTFOUND" });
  }
}

function refusalSentence(target: EgressTarget, why: string, redirectedFrom: URL | undefined): string {
  const hop = redirectedFrom ? ` (redirected from ${shownUrl(redirectedFrom)})` : "";
  return `baton does not fetch ${shownUrl(target.url)}${hop} — ${why}; an admin can allow it with BATON_HTTP_ALLOW=${hostPort(target)}.`;
}
