import { describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";

describe("eventually", () => {
  it("returns the first truthy value the probe gives", async () => {
    let calls = 0;
    const value = await eventually(() => {
      calls += 1;
      return calls >= 3 && { calls };
    }, "the third call");
    expect(value).toEqual({ calls: 3 });
  });

  it("treats a probe that throws as not there yet", async () => {
    let calls = 0;
    const value = await eventually(() => {
      calls += 1;
      if (calls < 2) throw new Error("not yet");
      return "ready";
    }, "a probe that stops throwing");
    expect(value).toBe("ready");
  });

  it("fails naming what it waited for and the last value once the time is up", async () => {
    await expect(eventually(() => 0, "the queue to fill", { timeoutMs: 30 })).rejects.toThrow(
      "Timed out after 30 ms waiting for the queue to fill; the last probe returned 0.",
    );
  });

  it("fails with the last error and keeps it as the cause", async () => {
    const last = new Error("connection refused");
    const failure = await eventually(
      () => {
        throw last;
      },
      () => "the database",
      { timeoutMs: 30 },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(
      "Timed out after 30 ms waiting for the database; the last probe threw connection refused.",
    );
    expect((failure as Error).cause).toBe(last);
  });
});
