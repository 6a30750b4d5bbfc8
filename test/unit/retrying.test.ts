import { describe, expect, it } from "vitest";
import { exponentialBackoff, retrying } from "../../src/retry.js";
import { FakeClock } from "../support/fake-clock.js";

/** Fails the first `failures` calls with "try N failed", then answers "ok". */
function flaky(failures: number) {
  const calls: number[] = [];
  const attempt = async (n: number) => {
    calls.push(n);
    if (calls.length <= failures) throw new Error(`try ${n} failed`);
    return "ok";
  };
  return { calls, attempt };
}

/** Advances the clock past each wait as the retry starts it, until `work` settles. */
async function drive<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  let settled = false;
  const mark = () => {
    settled = true;
  };
  work.then(mark, mark);
  for (let turn = 0; !settled && turn < 100; turn += 1) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (clock.waiting > 0) await clock.advanceAsync(60_000);
  }
  return work;
}

describe("retrying", () => {
  it("waits the backoff on the clock between attempts and returns the first success", async () => {
    const clock = new FakeClock();
    const { calls, attempt } = flaky(2);
    const result = await drive(clock, retrying(attempt, { attempts: 4, backoff: exponentialBackoff(250), clock }));
    expect(result).toBe("ok");
    expect(calls).toEqual([1, 2, 3]);
    expect(clock.sleeps).toEqual([250, 500]);
  });

  it("rethrows the last error once the attempts are used up, telling onFailure about each", async () => {
    const clock = new FakeClock();
    const { attempt } = flaky(10);
    const failures: string[] = [];
    const retried = retrying(attempt, {
      attempts: 3,
      backoff: exponentialBackoff(1000, 1500),
      clock,
      onFailure: (error, n) => {
        failures.push(`${n}: ${(error as Error).message}`);
      },
    });
    await expect(drive(clock, retried)).rejects.toThrow("try 3 failed");
    expect(failures).toEqual(["1: try 1 failed", "2: try 2 failed", "3: try 3 failed"]);
    expect(clock.sleeps).toEqual([1000, 1500]);
  });

  it("stops at once on an error retryable refuses", async () => {
    const { calls, attempt } = flaky(5);
    await expect(retrying(attempt, { attempts: 5, retryable: () => false })).rejects.toThrow("try 1 failed");
    expect(calls).toEqual([1]);
  });

  it("retries at once without a backoff", async () => {
    const { calls, attempt } = flaky(2);
    await expect(retrying(attempt, { attempts: 3 })).resolves.toBe("ok");
    expect(calls).toEqual([1, 2, 3]);
  });

  it("rejects with the signal's reason when aborted during a wait", async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const { calls, attempt } = flaky(5);
    const retried = retrying(attempt, { attempts: 5, backoff: () => 60_000, clock, signal: controller.signal });
    for (let turn = 0; clock.waiting === 0 && turn < 100; turn += 1) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    controller.abort(new Error("shutting down"));
    await expect(retried).rejects.toThrow("shutting down");
    expect(calls).toEqual([1]);
    expect(clock.waiting).toBe(0);
  });
});
