import { describe, expect, it } from "vitest";
import { LlmError, llmErrorFromStatus, retryAfterMs } from "../../src/llm/errors.js";
import { ProviderHealth } from "../../src/llm/provider-health.js";
import { costOf } from "../../src/llm/usage.js";
import { FakeClock } from "../support/fake-clock.js";

const failure = (retryAfter: number | null = null) =>
  new LlmError({
    code: "server_error",
    provider: "anthropic",
    message: "boom",
    status: 500,
    retryable: true,
    retryAfterMs: retryAfter,
  });

describe("ProviderHealth", () => {
  it("rests a provider until its retry-after, then lets it go again", () => {
    const clock = new FakeClock(1_000_000);
    const health = new ProviderHealth(clock, 3, 60_000);
    health.failed("anthropic", failure(5000));
    expect(health.available("anthropic")).toBe(false);
    expect(health.snapshot(["anthropic"])[0]).toMatchObject({ state: "cooling", consecutiveFailures: 1 });
    clock.advance(5000);
    expect(health.available("anthropic")).toBe(true);
  });

  it("opens the circuit after N failures in a row and closes it on success", () => {
    const clock = new FakeClock(1_000_000);
    const health = new ProviderHealth(clock, 2, 60_000);
    health.failed("openai", failure());
    expect(health.available("openai")).toBe(true);
    health.failed("openai", failure());
    expect(health.snapshot(["openai"])[0]).toMatchObject({
      state: "open",
      consecutiveFailures: 2,
      until: new Date(clock.now().getTime() + 60_000),
    });
    clock.advance(60_000);
    expect(health.available("openai")).toBe(true);
    health.failed("openai", failure());
    expect(health.available("openai")).toBe(false);
    clock.advance(60_000);
    health.succeeded("openai");
    expect(health.snapshot(["openai"])[0]).toMatchObject({ state: "ok", consecutiveFailures: 0, until: null });
  });
});

describe("LLM errors", () => {
  it("maps statuses to codes and retryability", () => {
    const headers = { "retry-after": "2" };
    expect(llmErrorFromStatus("p", 429, "slow down", headers)).toMatchObject({
      code: "rate_limited",
      retryable: true,
      retryAfterMs: 2000,
    });
    expect(llmErrorFromStatus("p", 529, "overloaded", {})).toMatchObject({ code: "overloaded", retryable: true });
    expect(llmErrorFromStatus("p", 503, "down", {})).toMatchObject({ code: "server_error", retryable: true });
    expect(llmErrorFromStatus("p", 401, "bad key", {})).toMatchObject({ code: "auth", retryable: false });
    expect(llmErrorFromStatus("p", 400, "bad request", {})).toMatchObject({ code: "bad_request", retryable: false });
  });

  it("reads retry-after in milliseconds, seconds or as a date", () => {
    expect(retryAfterMs({ "retry-after-ms": "250" })).toBe(250);
    expect(retryAfterMs({ "retry-after": "3" })).toBe(3000);
    expect(retryAfterMs({ "retry-after": "Sat, 21 Nov 2026 10:00:10 GMT" }, Date.parse("2026-11-21T10:00:00Z"))).toBe(
      10_000,
    );
    expect(retryAfterMs({ "retry-after": "soon" })).toBeNull();
    expect(retryAfterMs(undefined)).toBeNull();
  });
});

describe("costOf", () => {
  it("prices input, output, cache reads and cache writes per million tokens", () => {
    const usage = {
      inputTokens: 1_000_000,
      outputTokens: 100_000,
      cachedInputTokens: 2_000_000,
      cacheWriteTokens: 400_000,
    };
    expect(costOf(usage, { input: 1, output: 5, cachedInput: 0.1, cacheWrite: 1.25 })).toBeCloseTo(
      1 + 0.5 + 0.2 + 0.5,
      9,
    );
    expect(costOf(usage, { input: 2, output: 8 })).toBeCloseTo(2 + 0.8 + 4 + 0.8, 9);
    expect(costOf(usage, undefined)).toBeNull();
  });
});

describe("ProviderHealth after a cooldown", () => {
  it("lets exactly one trial call through until it has a verdict", () => {
    const clock = new FakeClock(1_000_000);
    const health = new ProviderHealth(clock, 1, 10_000);
    health.failed("anthropic", failure());
    clock.advance(10_000);
    expect(health.available("anthropic")).toBe(true);
    expect(health.available("anthropic")).toBe(false);
    expect(health.snapshot(["anthropic"])[0]).toMatchObject({ state: "open", until: null });
    health.released("anthropic");
    expect(health.available("anthropic")).toBe(true);
    health.failed("anthropic", failure());
    expect(health.available("anthropic")).toBe(false);
    clock.advance(10_000);
    expect(health.available("anthropic")).toBe(true);
    health.succeeded("anthropic");
    expect(health.available("anthropic")).toBe(true);
    expect(health.available("anthropic")).toBe(true);
  });
});
