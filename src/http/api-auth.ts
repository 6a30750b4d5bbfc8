import type { Context } from "hono";
import type { Actor } from "../commands/context.js";
import type { Caller } from "./api-requests.js";
import { problem, sendProblem } from "./problem.js";
import type { RateLimiter } from "./rate-limit.js";

/** How a bearer token becomes a person (AccessService.authenticateToken). */
export interface TokenAuthenticator {
  authenticateToken(token: string, now: Date): Promise<{ actor: Actor; tokenId: number } | null>;
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/=-]{1,256})[ \t]*$/i;

/** The token in `Authorization: Bearer …`, or null when there is none (or it is not one). */
export function bearerToken(header: string | undefined | null): string | null {
  if (header === undefined || header === null) return null;
  return BEARER.exec(header)?.[1] ?? null;
}

export type AuthResult = { caller: Caller } | { refusal: Response };

/**
 * Who is calling, from the bearer token, or the 401 to send: without a token nothing under
 * /api/v1 answers (besides the OpenAPI document), and a token that is not live is refused the
 * same way, so a caller cannot tell a revoked token from one that never existed. Then the
 * caller's rate limit: 429 with Retry-After.
 */
export async function authenticate(
  c: Context,
  deps: { tokens: TokenAuthenticator; limiter: RateLimiter; now: () => Date },
): Promise<AuthResult> {
  const token = bearerToken(c.req.header("authorization"));
  const challenge = { "www-authenticate": 'Bearer realm="baton"' };
  if (token === null) {
    const detail = "Send a personal API token as `Authorization: Bearer …`; `/orchestrate token create` makes one.";
    return { refusal: sendProblem(c, problem(401, "unauthenticated", detail), challenge) };
  }
  // Guessing tokens costs a lookup each: an address that keeps sending bad ones is slowed like a token.
  const address = `address:${remoteAddress(c)}`;
  const guessing = deps.limiter.peek(address);
  if (guessing > 0) {
    const detail = `Too many requests with invalid tokens from this address; try again in ${guessing} s.`;
    return { refusal: sendProblem(c, problem(429, "rate_limited", detail), { "retry-after": String(guessing) }) };
  }
  const found = await deps.tokens.authenticateToken(token, deps.now());
  if (found === null) {
    deps.limiter.take(address);
    const detail =
      "That API token is not valid (revoked, or never issued); `/orchestrate token create` makes a new one.";
    return { refusal: sendProblem(c, problem(401, "unauthenticated", detail), challenge) };
  }
  const wait = deps.limiter.take(`token:${found.tokenId}`);
  if (wait > 0) {
    const detail = `Too many requests with this token; try again in ${wait} s.`;
    return { refusal: sendProblem(c, problem(429, "rate_limited", detail), { "retry-after": String(wait) }) };
  }
  return { caller: { actor: found.actor, tokenId: found.tokenId } };
}

/** The peer's address as Node's socket saw it (behind a proxy: the proxy's). */
function remoteAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? "unknown";
}
