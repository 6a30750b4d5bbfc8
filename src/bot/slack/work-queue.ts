/**
 * Runs accepted requests' work a few at a time. Acks go out first (Slack's 3 s deadline); a burst
 * of requests then does not start hundreds of dispatches at once, which would leave the acks of
 * the requests still arriving waiting behind them. Queued work is drained on shutdown.
 */
export class WorkQueue {
  private readonly waiting: Array<() => Promise<unknown>> = [];
  private running = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    /** Work that throws is reported here; the queue goes on. */
    private readonly onError: (error: unknown) => void,
  ) {}

  push(work: () => Promise<unknown>): void {
    this.waiting.push(work);
    // After the current I/O callbacks: requests that arrived together are acked before work starts.
    setImmediate(() => this.pump());
  }

  /** Resolves when nothing is queued or running. */
  drain(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (this.running < this.concurrency) {
      const work = this.waiting.shift();
      if (!work) break;
      this.running += 1;
      void work()
        .catch(this.onError)
        .finally(() => {
          this.running -= 1;
          this.pump();
        });
    }
    if (this.running === 0 && this.waiting.length === 0) {
      const idle = this.idle;
      this.idle = [];
      for (const resolve of idle) resolve();
    }
  }
}
