import type { Clock, Timer } from "../../src/clock.js";

interface Pending {
  id: number;
  due: number;
  callback: () => void;
  every: number | null;
}

/**
 * The one clock tests move by hand: `now` reads the test's time, and sleeps, timeouts and
 * intervals fire only when `advance` or `set` moves time past them (in due order).
 */
export class FakeClock implements Clock {
  private at: number;
  private nextId = 0;
  private pending: Pending[] = [];
  /** Every sleep asked for, in order (what backoff the code chose). */
  readonly sleeps: number[] = [];
  private sleepWatchers: Array<{ count: number; resolve: () => void }> = [];
  /** Sleeps `passSleeps` has let pass so far. */
  private passed = 0;

  constructor(start: Date | number | string = Date.now()) {
    this.at = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.at);
  }

  /** Timers and sleeps not yet due. */
  get waiting(): number {
    return this.pending.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    const due = this.sleepWatchers.filter((w) => w.count <= this.sleeps.length);
    this.sleepWatchers = this.sleepWatchers.filter((w) => w.count > this.sleeps.length);
    for (const watcher of due) watcher.resolve();
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = this.setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        timer.cancel();
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  setTimeout(callback: () => void, ms: number): Timer {
    return this.schedule(callback, ms, null);
  }

  setInterval(callback: () => void, ms: number): Timer {
    return this.schedule(callback, ms, Math.max(1, ms));
  }

  /** Moves time to `at`, firing what falls due on the way. */
  set(at: Date | number | string): void {
    this.runUntil(new Date(at).getTime());
  }

  /** Moves time forward by `ms`, firing what falls due on the way. */
  advance(ms: number): void {
    this.runUntil(this.at + ms);
  }

  /**
   * Leaps `ms` ahead as a suspended machine wakes: each timer that fell due fires once, and
   * intervals go on from the new time (Node coalesces missed interval ticks the same way).
   * For days-long steps, where `advance` would fire every tick on the way.
   */
  jump(ms: number): void {
    const target = this.at + ms;
    this.at = target;
    const due = this.pending.filter((p) => p.due <= target).sort((a, b) => a.due - b.due);
    for (const entry of due) {
      if (entry.every !== null) entry.due = target + entry.every;
      else this.remove(entry.id);
      entry.callback();
    }
  }

  /** Like `advance`, letting the promise work each fired callback starts settle before the next. */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.at + ms;
    for (let next = this.nextDue(target); next; next = this.nextDue(target)) {
      this.fire(next);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.at = target;
  }

  /**
   * Resolves once `count` sleeps in all have started; fails, naming what it saw, when they have not
   * within `timeoutMs` of real time (the code under test waits on I/O between its sleeps).
   */
  untilSleeps(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.sleeps.length >= count) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.sleepWatchers = this.sleepWatchers.filter((w) => w !== watcher);
        reject(
          new Error(`expected ${count} sleeps on the fake clock within ${timeoutMs} ms, saw ${this.sleeps.length}`),
        );
      }, timeoutMs);
      const watcher = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.sleepWatchers.push(watcher);
    });
  }

  /**
   * Lets the next `count` sleeps pass, each as soon as it starts (time moves on by its length), so
   * retries with backoff run without anyone waiting; `sleeps` still shows what the code chose.
   */
  async passSleeps(count: number): Promise<void> {
    for (let n = 0; n < count; n += 1) {
      await this.untilSleeps(this.passed + 1);
      this.advance(this.sleeps[this.passed] ?? 0);
      this.passed += 1;
    }
  }

  private schedule(callback: () => void, ms: number, every: number | null): Timer {
    const entry = { id: this.nextId++, due: this.at + Math.max(0, ms), callback, every };
    this.pending.push(entry);
    return { cancel: () => this.remove(entry.id) };
  }

  private remove(id: number): void {
    this.pending = this.pending.filter((p) => p.id !== id);
  }

  private nextDue(limit: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending) if (p.due <= limit && (!best || p.due < best.due)) best = p;
    return best;
  }

  private fire(entry: Pending): void {
    this.at = Math.max(this.at, entry.due);
    if (entry.every === null) this.remove(entry.id);
    else entry.due += entry.every;
    entry.callback();
  }

  private runUntil(target: number): void {
    for (let next = this.nextDue(target); next; next = this.nextDue(target)) this.fire(next);
    this.at = Math.max(this.at, target);
  }
}
