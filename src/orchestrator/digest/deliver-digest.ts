import type { Clock } from "../../clock.js";
import type { DigestRepository } from "../../db/repositories/digest-repository.js";
import { BatonError, toBatonError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { exponentialBackoff, retrying } from "../../retry.js";
import type { DeliveryReport, Digest, DigestDelivery } from "./digest.js";

export interface DeliverDeps {
  digests: DigestRepository;
  delivery: DigestDelivery | null;
  clock: Clock;
  logger: Logger;
  /** Attempts before the digest is recorded as undelivered. */
  attempts: number;
  /** First wait between attempts (on `clock`); doubles after each failure. */
  backoffMs: number;
}

/**
 * Delivers one digest, verified: a delivery row is opened under its idempotency key first (a key
 * seen before is never posted again), each failed post is retried with backoff under the same key,
 * and the outcome — the platform's message id, or the last error — is recorded. An undelivered
 * digest shows in status and in the next digest: never a silent miss, never a double post.
 */
export async function deliverDigest(
  deps: DeliverDeps,
  digest: Digest,
  target: { platform: string; channel: string; requestedBy: string; idempotencyKey: string },
): Promise<DeliveryReport> {
  return deliverVerified(
    deps,
    {
      what: "digest",
      period: digest.period,
      reports: digest.undelivered.map((d) => d.id),
      send: (delivery, options) => delivery.deliver(digest, target, options),
    },
    target,
  );
}

/** Something posted to a channel outside a request: a digest, or a scheduled run's report. */
export interface Deliverable {
  /** For the log: "digest", "run report". */
  what: string;
  /** The time the post covers, kept with its delivery row. */
  period: { start: Date; end: Date };
  /** Earlier undelivered rows this post reports, marked once it is delivered. */
  reports: number[];
  send(delivery: DigestDelivery, options: { idempotencyKey: string }): Promise<{ messageId: string }>;
}

/** One verified delivery (see deliverDigest): a row under the key first, retries, the outcome recorded. */
export async function deliverVerified(
  deps: DeliverDeps,
  item: Deliverable,
  target: { platform: string; channel: string; requestedBy: string; idempotencyKey: string },
): Promise<DeliveryReport> {
  const { digests, clock } = deps;
  const opened = await digests.openDelivery({
    idempotencyKey: target.idempotencyKey,
    platform: target.platform,
    channel: target.channel,
    period: item.period,
    requestedBy: target.requestedBy,
    now: clock.now(),
  });
  const base = { platform: target.platform, channel: target.channel, idempotencyKey: target.idempotencyKey };
  if (!opened.created) {
    const { record } = opened;
    return { ...base, status: "duplicate", attempts: record.attempts, messageId: record.messageId, error: null };
  }
  const id = opened.record.id;
  let lastError = "";
  let made = 0;
  const posted = await retrying(
    async (attempt) => {
      made = attempt;
      return post(deps, item, target);
    },
    {
      attempts: deps.attempts,
      backoff: exponentialBackoff(deps.backoffMs),
      clock,
      retryable,
      onFailure: async (caught, attempt) => {
        const error = toBatonError(caught);
        lastError = error.message;
        await digests.recordAttempt(id, attempt, lastError);
        deps.logger.warn(`${item.what} post failed`, {
          ...base,
          attempt,
          retryable: error.retryable,
          error: error.message,
        });
      },
    },
  ).catch(() => null); // each failure is recorded by onFailure; the last one's text is in lastError
  if (posted === null) {
    await digests.markFailed(id, lastError);
    deps.logger.error(`${item.what} could not be delivered`, { ...base, attempts: made, error: lastError });
    return { ...base, status: "failed", attempts: made, messageId: null, error: lastError };
  }
  await digests.recordAttempt(id, made, null);
  await digests.markDelivered(id, posted.messageId, clock.now());
  await digests.markReported(item.reports, clock.now());
  return { ...base, status: "delivered", attempts: made, messageId: posted.messageId, error: null };
}

/** A BatonError says whether retrying can help; anything else (a network error) is worth a retry. */
function retryable(error: unknown): boolean {
  return error instanceof BatonError ? error.retryable : true;
}

async function post(
  deps: DeliverDeps,
  item: Deliverable,
  target: { platform: string; channel: string; idempotencyKey: string },
): Promise<{ messageId: string }> {
  if (!deps.delivery?.platforms().includes(target.platform)) {
    const known = deps.delivery?.platforms() ?? [];
    throw new BatonError(
      "unavailable",
      `baton cannot post to ${target.platform}: no ${target.platform} front-end is running here${known.length > 0 ? ` (it can post to ${known.join(", ")})` : ""}.`,
    );
  }
  return item.send(deps.delivery, { idempotencyKey: target.idempotencyKey });
}
