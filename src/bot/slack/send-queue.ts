import type { Clock } from "../../clock.js";
import type { Logger } from "../../logger.js";

/** The WebClient's error for a 429 when `rejectRateLimitedCalls` is on (@slack/web-api errors.ts). */
interface RateLimited {
  code: "slack_webapi_rate_limited_error";
  retryAfter: number;
}

function isRateLimited(error: unknown): error is RateLimited {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as { code?: unknown }).code === "slack_webapi_rate_limited_error" &&
    typeof (error as { retryAfter?: unknown }).retryAfter === "number"
  );
}

export interface SendQueueOptions {
  /** Minimum time between two writes to one channel (Slack: about one message per second). */
  intervalMs: number;
  logger: Logger;
  /** How often one write may be refused with 429 before it fails. */
  maxRateLimitRetries?: number;
  /** Paces the writes and waits out Retry-After. */
  clock: Clock;
}

/**
 * One queue per channel: writes to a channel go out one at a time, at most one per interval.
 * A 429 means Slack did not perform the write, so only then is it sent again, after Retry-After;
 * any other failure is not retried, because the message may have been posted (no duplicates).
 * @see https://api.slack.com/apis/rate-limits#rate-limits__responding-to-rate-limiting-conditions
 */
export class SendQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly lastSent = new Map<string, number>();

  constructor(private readonly options: SendQueueOptions) {}

  send<T>(channel: string, write: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(channel) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.paced(channel, write));
    const tail = next.catch(() => undefined);
    this.tails.set(channel, tail);
    void tail.then(() => {
      if (this.tails.get(channel) !== tail) return;
      this.tails.delete(channel);
      // Idle channels are forgotten once their interval has passed, so the map does not grow forever.
      this.options.clock.setTimeout(() => {
        if (!this.tails.has(channel)) this.lastSent.delete(channel);
      }, this.options.intervalMs);
    });
    return next;
  }

  /** Resolves when every queued write has been sent or has failed. */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }

  private async paced<T>(channel: string, write: () => Promise<T>): Promise<T> {
    const { clock } = this.options;
    const maxRetries = this.options.maxRateLimitRetries ?? 3;
    for (let refused = 0; ; refused += 1) {
      const wait = (this.lastSent.get(channel) ?? 0) + this.options.intervalMs - clock.now().getTime();
      if (wait > 0) await clock.sleep(wait);
      this.lastSent.set(channel, clock.now().getTime());
      try {
        return await write();
      } catch (error) {
        if (!isRateLimited(error) || refused >= maxRetries) throw error;
        this.options.logger.warn("slack rate limited a write; sending it again after Retry-After", {
          channel,
          retryAfterS: error.retryAfter,
        });
        await clock.sleep(error.retryAfter * 1000);
      }
    }
  }
}
