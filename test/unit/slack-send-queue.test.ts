import { describe, expect, it } from "vitest";
import { SendQueue } from "../../src/bot/slack/send-queue.js";
import { silentLogger } from "../../src/logger.js";

const rateLimited = (retryAfter: number) =>
  Object.assign(new Error("rate limited"), { code: "slack_webapi_rate_limited_error", retryAfter });

describe("SendQueue", () => {
  it("sends one channel's writes in order, one at a time", async () => {
    const queue = new SendQueue({ intervalMs: 0, logger: silentLogger });
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
    const slept: number[] = [];
    const queue = new SendQueue({
      intervalMs: 0,
      logger: silentLogger,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    let calls = 0;
    const posted = await queue.send("C1", async () => {
      calls += 1;
      if (calls === 1) throw rateLimited(2);
      return "ts-1";
    });
    expect(posted).toBe("ts-1");
    expect(calls).toBe(2);
    expect(slept).toContain(2000);

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
    const queue = new SendQueue({ intervalMs: 0, logger: silentLogger, maxRateLimitRetries: 2, sleep: async () => {} });
    let calls = 0;
    await expect(
      queue.send("C1", async () => {
        calls += 1;
        throw rateLimited(1);
      }),
    ).rejects.toMatchObject({ code: "slack_webapi_rate_limited_error" });
    expect(calls).toBe(3);
  });
});
