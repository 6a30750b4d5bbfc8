import { describe, expect, it } from "vitest";
import { SendQueue } from "../../src/bot/slack/send-queue.js";
import { systemClock } from "../../src/clock.js";
import { silentLogger } from "../../src/logger.js";
import { FakeClock } from "../support/fake-clock.js";

const rateLimited = (retryAfter: number) =>
  Object.assign(new Error("rate limited"), { code: "slack_webapi_rate_limited_error", retryAfter });

describe("SendQueue", () => {
  it("sends one channel's writes in order, one at a time", async () => {
    const queue = new SendQueue({ intervalMs: 0, clock: systemClock, logger: silentLogger });
    const order: string[] = [];
    let active = 0;
    let maxActive = 0;
    const write = (name: string) => async () => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setImmediate(r)); // hold the slot across a turn of the event loop, no wall time
      order.push(name);
      active -= 1;
      return name;
    };
    const results = await Promise.all([
      queue.send("C1", write("a")),
      queue.send("C1", write("b")),
      queue.send("C1", write("c")),
    ]);
    expect(results).toEqual(["a", "b", "c"]);
    expect(order).toEqual(["a", "b", "c"]);
    expect(maxActive).toBe(1);
  });

  it("waits Retry-After and sends again after a 429, but never retries other failures", async () => {
    const clock = new FakeClock();
    const queue = new SendQueue({ intervalMs: 0, clock, logger: silentLogger });
    let calls = 0;
    const sending = queue.send("C1", async () => {
      calls += 1;
      if (calls === 1) throw rateLimited(2);
      return "ts-1";
    });
    await clock.untilSleeps(1);
    clock.advance(1999);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(1);
    clock.advance(1);
    expect(await sending).toBe("ts-1");
    expect(calls).toBe(2);
    expect(clock.sleeps).toEqual([2000]);

    let failing = 0;
    await expect(
      queue.send("C1", async () => {
        failing += 1;
        throw new Error("socket hang up");
      }),
    ).rejects.toThrow("socket hang up");
    expect(failing).toBe(1);
    // A failed write does not block the channel.
    await expect(queue.send("C1", async () => "next")).resolves.toBe("next");
  });

  it("gives up after repeated 429s", async () => {
    const clock = new FakeClock();
    const queue = new SendQueue({ intervalMs: 0, clock, logger: silentLogger, maxRateLimitRetries: 2 });
    let calls = 0;
    const refused = expect(
      queue.send("C1", async () => {
        calls += 1;
        throw rateLimited(1);
      }),
    ).rejects.toMatchObject({ code: "slack_webapi_rate_limited_error" });
    await clock.passSleeps(2);
    await refused;
    expect(calls).toBe(3);
    expect(clock.sleeps).toEqual([1000, 1000]);
  });

  it("paces one channel's writes at one per interval on the clock", async () => {
    const clock = new FakeClock();
    const queue = new SendQueue({ intervalMs: 1000, clock, logger: silentLogger });
    const sent: string[] = [];
    const first = queue.send("C1", async () => sent.push("a"));
    const second = queue.send("C1", async () => sent.push("b"));
    await first;
    await clock.untilSleeps(1);
    expect(sent).toEqual(["a"]);
    clock.advance(1000);
    await second;
    expect(sent).toEqual(["a", "b"]);
    expect(clock.sleeps).toEqual([1000]);
  });
});
