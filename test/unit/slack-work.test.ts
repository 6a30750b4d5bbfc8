import { describe, expect, it } from "vitest";
import { PendingConfirmations } from "../../src/bot/slack/confirmations.js";
import { WorkQueue } from "../../src/bot/slack/work-queue.js";
import { systemClock } from "../../src/clock.js";
import { FakeClock } from "../support/fake-clock.js";

describe("WorkQueue", () => {
  /** A promise the test settles by hand, so no step waits on the wall clock. */
  function gate() {
    let open: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    return { opened, open };
  }
  const afterIo = () => new Promise<void>((resolve) => setImmediate(resolve));

  it("runs at most `concurrency` items at once, in push order, all of them, and drains", async () => {
    const errors: unknown[] = [];
    const queue = new WorkQueue(2, (error) => errors.push(error));
    const gates = Array.from({ length: 6 }, gate);
    const started: number[] = [];
    const done: number[] = [];
    let active = 0;
    let peak = 0;
    gates.forEach((g, i) => {
      queue.push(async () => {
        started.push(i);
        active += 1;
        peak = Math.max(peak, active);
        await g.opened;
        active -= 1;
        if (i === 3) throw new Error("boom");
        done.push(i);
      });
    });
    await afterIo();
    expect(started).toEqual([0, 1]);
    for (const g of [...gates].reverse()) g.open();
    await queue.drain();
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(done.sort()).toEqual([0, 1, 2, 4, 5]);
    expect(errors).toEqual([new Error("boom")]);
    await queue.drain();
  });

  it("starts no work before the I/O callbacks already due (the acks) have run", async () => {
    const queue = new WorkQueue(4, () => undefined);
    let started = false;
    queue.push(async () => {
      started = true;
    });
    for (let i = 0; i < 10; i += 1) await Promise.resolve();
    expect(started).toBe(false);
    await queue.drain();
    expect(started).toBe(true);
  });

  it("drains work pushed while it drains", async () => {
    const queue = new WorkQueue(1, () => undefined);
    const done: string[] = [];
    queue.push(async () => {
      queue.push(async () => {
        done.push("second");
      });
      done.push("first");
    });
    await queue.drain();
    expect(done).toEqual(["first", "second"]);
  });
});

describe("PendingConfirmations", () => {
  it("lets only the asker answer, once", async () => {
    const confirmations = new PendingConfirmations(60_000, systemClock);
    const token = confirmations.newToken();
    const answer = confirmations.wait(token, "U1");
    expect(confirmations.answer(token, "U2", true)).toBe("not-yours");
    expect(confirmations.answer(token, "U1", true)).toBe("settled");
    expect(await answer).toBe(true);
    expect(confirmations.answer(token, "U1", false)).toBe("unknown");
  });

  it("counts no answer in time, or a shutdown, as cancel", async () => {
    const clock = new FakeClock();
    const confirmations = new PendingConfirmations(10 * 60_000, clock);
    const unanswered = confirmations.wait(confirmations.newToken(), "U1");
    clock.advance(10 * 60_000);
    expect(await unanswered).toBe(false);
    const long = new PendingConfirmations(60_000, systemClock);
    const pending = long.wait(long.newToken(), "U1");
    long.declineAll();
    expect(await pending).toBe(false);
  });
});
