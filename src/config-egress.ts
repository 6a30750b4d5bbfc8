import { z } from "zod";
import { bounded } from "./config-numbers.js";
import { type AllowEntry, parseAllowList } from "./orchestrator/tools/egress/allow-list.js";

/** The egress policy's part of the environment schema; src/config.ts merges it and is still the only reader. */

export const EgressEnvShape = {
  BATON_HTTP_ALLOW: z.string().optional(),
  BATON_HTTP_MAX_REQUESTS_PER_RUN: bounded(100, 1, 100_000, { whole: true }),
};

const EgressEnvObject = z.object(EgressEnvShape);
type EgressEnv = z.output<typeof EgressEnvObject>;

export interface EgressConfig {
  /** Exceptions to the egress policy: hosts, host:port pairs, addresses and CIDR ranges. */
  allow: AllowEntry[];
  /** HTTP requests (redirect hops included) one workflow run may send. */
  maxRequestsPerRun: number;
}

/** One sentence per BATON_HTTP_ALLOW entry that is not a host, host:port or CIDR range. */
export function egressProblems(env: EgressEnv): string[] {
  return parseAllowList(env.BATON_HTTP_ALLOW ?? "").problems;
}

export function buildEgressConfig(env: EgressEnv): EgressConfig {
  return {
    allow: parseAllowList(env.BATON_HTTP_ALLOW ?? "").entries,
    maxRequestsPerRun: env.BATON_HTTP_MAX_REQUESTS_PER_RUN,
  };
}
