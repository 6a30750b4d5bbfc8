import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import { exponentialBackoff } from "../retry.js";

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/** 1 s, 2 s, 4 s … at most a minute between tries (Slack redelivers events after ~1 and ~5 minutes). */
export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 60_000 };

/** The delay before try `attempt + 1`, after `attempt` failed tries: capped exponential. */
export function backoffDelay(attempt: number, backoff: Backoff): number {
  return exponentialBackoff(backoff.initialMs, backoff.maxMs)(attempt);
}

/** What the connection reports as it goes: the platform's health object shows it in status. */
export interface ConnectionWatcher {
  unreachable(failure: { attempts: number; reason: string; retryInMs: number }): void;
  verified(): void;
}

export interface PlatformConnectionDeps {
  /** How logs name the platform's API, e.g. "slack api". */
  name: string;
  /** One try at reaching the platform with baton's credentials; throws when it did not work. */
  verify: () => Promise<void>;
  /** The platform answered and refused (a bad token): retrying the same credentials will not help. */
  isRefusal: (error: unknown) => boolean;
  /** One phrase for status, e.g. "HTTP 503 from Slack's API". */
  describe: (error: unknown) => string;
  watcher: ConnectionWatcher;
  /** Waits between tries (tests drive it without a wall clock). */
  clock: Clock;
  logger: Logger;
  backoff?: Backoff;
}

/**
 * Reaches a platform before its front-end counts as started, and keeps trying with capped
 * exponential backoff while it cannot be reached. A refusal on the very first try (a bad token)
 * is thrown, so `baton start` stops with one sentence; a network failure or a 5xx is retried for
 * as long as it lasts, each failure logged and shown in status.
 */
export class PlatformConnection {
  private readonly abort = new AbortController();
  private attempts = 0;
  private verifiedFlag = false;
  private resolveVerified: () => void = () => {};
  /** Resolves once auth.test has succeeded (never, if the front-end stops first). */
  readonly whenVerified: Promise<void>;

  constructor(private readonly deps: PlatformConnectionDeps) {
    this.whenVerified = new Promise((resolve) => {
      this.resolveVerified = resolve;
    });
  }

  get verified(): boolean {
    return this.verifiedFlag;
  }

  /**
   * The first try: resolves true when Slack answered, false when it could not be reached (the
   * retries then go on in the background); throws when Slack refused the token.
   */
  async start(): Promise<boolean> {
    const first = await this.tryOnce();
    if (first === "ok") return true;
    if (first instanceof Error) throw first;
    void this.retry();
    return false;
  }

  stop(): void {
    this.abort.abort();
  }

  private async retry(): Promise<void> {
    while (!this.abort.signal.aborted) {
      await this.sleep(backoffDelay(this.attempts, this.backoff));
      if (this.abort.signal.aborted) return;
      const outcome = await this.tryOnce();
      if (outcome === "ok") return;
    }
  }

  /** "ok", "retry" after a failure worth retrying, or the error of a refusal on the first try. */
  private async tryOnce(): Promise<"ok" | "retry" | Error> {
    try {
      await this.deps.verify();
    } catch (error) {
      this.attempts += 1;
      const reason = this.deps.describe(error);
      if (this.attempts === 1 && this.deps.isRefusal(error)) return error instanceof Error ? error : new Error(reason);
      const retryInMs = backoffDelay(this.attempts, this.backoff);
      this.deps.logger.warn(`${this.deps.name} unreachable; retrying`, {
        attempts: this.attempts,
        retryInMs,
        reason,
      });
      this.deps.watcher.unreachable({ attempts: this.attempts, reason, retryInMs });
      return "retry";
    }
    if (this.attempts > 0)
      this.deps.logger.info(`${this.deps.name} reachable again`, { failedAttempts: this.attempts });
    this.verifiedFlag = true;
    this.deps.watcher.verified();
    this.resolveVerified();
    return "ok";
  }

  private get backoff(): Backoff {
    return this.deps.backoff ?? DEFAULT_BACKOFF;
  }

  /** Waits `ms`, or less when the connection stops meanwhile (then the loop ends). */
  private sleep(ms: number): Promise<void> {
    return this.deps.clock.sleep(ms, this.abort.signal).catch(() => undefined);
  }
}
