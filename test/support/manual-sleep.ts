import type { Sleep } from "../../src/bot/platform-connection.js";

/**
 * A Sleep the test drives: each wait is recorded and lasts until `wake()`, so retries with
 * backoff run without the wall clock.
 */
export class ManualSleep {
  readonly delays: number[] = [];
  private waiting: Array<() => void> = [];

  readonly sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
      this.delays.push(ms);
      this.waiting.push(resolve);
      signal.addEventListener("abort", () => resolve());
    });

  get pending(): number {
    return this.waiting.length;
  }

  /** Ends every wait under way. */
  wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}
