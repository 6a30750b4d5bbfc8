import { describe, expect, it } from "vitest";
import { PendingConfirmations } from "../../src/bot/slack/confirmations.js";
import { WorkQueue } from "../../src/bot/slack/work-queue.js";
import { systemClock } from "../../src/clock.js";
import { FakeClock } from "../support/fake-clock.js";

describe("WorkQueue", () => {
  it("runs at most `concurrency` items at once, all of them, and drains", async () => {
    const errors: unknown[] = [];
    const queue = new WorkQueue(2, (error) => errors.push(error));
    let active = 0;
    let peak = 0;
    const done: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      queue.push(async () => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        active -= 1;
        if (i === 3) throw new Error("boom");
        done.push(i);
      });
    }
    await queue.drain();
    expect(peak).toBe(2);
    expect(done.sort()).toEqual([0, 1, 2, 4, 5]);
    expect(errors).toHaveLength(1);
    await queue.drain();
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
