import type { Clock } from "../clock.js";

/** How many distinct callers are tracked at once; the oldest are forgotten beyond it. */
const MAX_CALLERS = 10_000;

/**
 * A token bucket per caller (an API token, or an address without one): `perMinute` requests a
 * minute, refilled continuously, so a burst up to the whole minute's allowance goes through and
 * the next waits. `take` answers how many seconds to wait when the bucket is empty (Retry-After).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
  ) {}

  /** 0 when the request may go ahead; otherwise the whole seconds until one more is allowed. */
  take(caller: string): number {
    const now = this.clock.now().getTime();
    const bucket = this.buckets.get(caller) ?? { tokens: this.perMinute, at: now };
    const refilled = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) / 60_000) * this.perMinute);
    if (refilled < 1) {
      this.keep(caller, { tokens: refilled, at: now });
      return Math.max(1, Math.ceil(((1 - refilled) * 60) / this.perMinute));
    }
    this.keep(caller, { tokens: refilled - 1, at: now });
    return 0;
  }

  /** Like `take`, without using anything: 0 while `caller` has at least one request left. */
  peek(caller: string): number {
    const bucket = this.buckets.get(caller);
    if (bucket === undefined) return 0;
    const refilled = Math.min(
      this.perMinute,
      bucket.tokens + ((this.clock.now().getTime() - bucket.at) / 60_000) * this.perMinute,
    );
    return refilled >= 1 ? 0 : Math.max(1, Math.ceil(((1 - refilled) * 60) / this.perMinute));
  }

  private keep(caller: string, bucket: { tokens: number; at: number }): void {
    this.buckets.delete(caller);
    this.buckets.set(caller, bucket);
    if (this.buckets.size > MAX_CALLERS) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
  }
}
