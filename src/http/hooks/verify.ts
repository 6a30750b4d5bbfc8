import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Hook } from "../../config-hooks.js";

/** How far a generic HMAC hook's X-Baton-Timestamp may be from baton's clock, either way. */
export const HMAC_TOLERANCE_SECONDS = 300;

export interface SignedRequest {
  raw: Buffer;
  header(name: string): string | undefined;
  now: Date;
}

/** Null when the request carries the hook's secret; otherwise one sentence saying what was wrong. */
export function verificationProblem(verify: Hook["verify"], request: SignedRequest): string | null {
  return VERIFIERS[verify.kind](verify.secret, request);
}

const VERIFIERS: Record<Hook["verify"]["kind"], (secret: string, request: SignedRequest) => string | null> = {
  /** @see https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries */
  github: (secret, { raw, header }) => {
    const signature = header("x-hub-signature-256");
    if (signature === undefined) return "The X-Hub-Signature-256 header is missing.";
    return sameText(signature, `sha256=${hmacHex(secret, raw)}`) ? null : "The X-Hub-Signature-256 signature is wrong.";
  },
  bearer: (secret, { header }) => {
    const authorization = header("authorization");
    if (authorization === undefined) return "The Authorization header is missing.";
    return sameText(authorization, `Bearer ${secret}`) ? null : "The bearer token is wrong.";
  },
  /** X-Baton-Signature: sha256=<hmac of "<X-Baton-Timestamp>.<body>">, the timestamp in Unix seconds. */
  hmac: (secret, { raw, header, now }) => {
    const timestamp = header("x-baton-timestamp");
    const signature = header("x-baton-signature");
    if (timestamp === undefined || signature === undefined)
      return "The X-Baton-Timestamp or X-Baton-Signature header is missing.";
    const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
    if (!(Math.abs(now.getTime() / 1000 - seconds) <= HMAC_TOLERANCE_SECONDS))
      return `X-Baton-Timestamp is more than ${HMAC_TOLERANCE_SECONDS} seconds from baton's clock.`;
    const signed = Buffer.concat([Buffer.from(`${timestamp}.`), raw]);
    return sameText(signature, `sha256=${hmacHex(secret, signed)}`)
      ? null
      : "The X-Baton-Signature signature is wrong.";
  },
};

function hmacHex(secret: string, data: Buffer): string {
  return createHmac("sha256", secret).update(data).digest("hex");
}

/** Constant-time in the expected value: both sides hashed to the same length before comparing. */
function sameText(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
