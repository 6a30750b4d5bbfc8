import pLimit, { type LimitFunction } from "p-limit";

/**
 * Runs accepted requests' work a few at a time. Acks go out first (Slack's 3 s deadline); a burst
 * of requests then does not start hundreds of dispatches at once, which would leave the acks of
 * the requests still arriving waiting behind them. Work starts in the order it was pushed; queued
 * work is drained on shutdown.
 */
export class WorkQueue {
  private readonly limit: LimitFunction;
  private readonly tasks = new Set<Promise<void>>();

  constructor(
    concurrency: number,
    /** Work that throws is reported here; the queue goes on. */
    private readonly onError: (error: unknown) => void,
  ) {
    this.limit = pLimit(concurrency);
  }

  push(work: () => Promise<unknown>): void {
    // After the current I/O callbacks: requests that arrived together are acked before work starts.
    // setImmediate callbacks run in the order they were set, so the limiter sees pushes in order.
    const task: Promise<void> = new Promise((resolve) => setImmediate(resolve))
      .then(() => this.limit(work))
      .then(
        () => undefined,
        (error: unknown) => this.onError(error),
      )
      .finally(() => this.tasks.delete(task));
    this.tasks.add(task);
  }

  /** Resolves when nothing is queued or running, including work pushed while draining. */
  async drain(): Promise<void> {
    while (this.tasks.size > 0) await Promise.all([...this.tasks]);
  }
}
