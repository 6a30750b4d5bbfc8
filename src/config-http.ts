import { z } from "zod";
import { bounded } from "./config-numbers.js";

/** The HTTP surface's part of the environment schema; src/config.ts merges it and is still the only reader. */

/** Where the one HTTP server listens when Slack's HTTP mode or Discord's endpoint needs it and PORT is unset. */
export const DEFAULT_PORT = 3000;

export const HttpEnvShape = {
  PORT: z.coerce
    .number({ message: "expected a port number from 0 to 65535" })
    .int("expected a port number from 0 to 65535")
    .min(0, "expected a port number from 0 to 65535")
    .max(65_535, "expected a port number from 0 to 65535")
    .optional(),
  BATON_HTTP_HOST: z.string().min(1).default("0.0.0.0"),
  BATON_API_RATE_PER_MIN: bounded(600, 1, 1_000_000, { whole: true, what: "a whole number of requests" }),
  BATON_HTTP_MAX_BODY_BYTES: bounded(1024 * 1024, 1024, 64 * 1024 * 1024, { whole: true, what: "a number of bytes" }),
  DISCORD_INTERACTIONS_PORT: z.string().optional(),
};

const HttpEnvObject = z.object(HttpEnvShape);
type HttpEnv = z.output<typeof HttpEnvObject>;

export interface HttpConfig {
  /** 0 lets the system pick a free port (tests). */
  port: number;
  host: string;
  /** Requests per minute one API token (or one address without a token) may make; 429 beyond. */
  ratePerMinute: number;
  /** The largest request body read; larger ones are answered 413. */
  maxBodyBytes: number;
}

export function httpProblems(env: HttpEnv): string[] {
  if (env.DISCORD_INTERACTIONS_PORT === undefined) return [];
  return [
    "DISCORD_INTERACTIONS_PORT: the Discord interactions endpoint is now /discord/interactions on the one HTTP server; set PORT instead",
  ];
}

/**
 * Null when nothing needs a server: PORT unset and neither Slack's HTTP mode nor Discord's
 * interactions endpoint configured (those listen on DEFAULT_PORT when PORT is unset, as before).
 */
export function buildHttpConfig(env: HttpEnv, needed: boolean): HttpConfig | null {
  if (env.PORT === undefined && !needed) return null;
  return {
    port: env.PORT ?? DEFAULT_PORT,
    host: env.BATON_HTTP_HOST,
    ratePerMinute: env.BATON_API_RATE_PER_MIN,
    maxBodyBytes: env.BATON_HTTP_MAX_BODY_BYTES,
  };
}
