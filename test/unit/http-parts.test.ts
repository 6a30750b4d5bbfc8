import { describe, expect, it } from "vitest";
import { COMMAND_TYPES } from "../../src/commands/commands.js";
import { bearerToken } from "../../src/http/api-auth.js";
import { mayRead } from "../../src/http/event-stream.js";
import { RateLimiter } from "../../src/http/rate-limit.js";
import { redactSecrets } from "../../src/redact.js";
import { parseCommandText } from "../../src/routing/grammar.js";
import { FakeClock } from "../support/fake-clock.js";

describe("the HTTP surface's parts", () => {
  it("lets a token's whole minute through at once, then one request per refill, with Retry-After", () => {
    const clock = new FakeClock(new Date("2026-12-04T00:00:00Z"));
    const limiter = new RateLimiter(60, clock);
    for (let i = 0; i < 60; i++) expect(limiter.take("token:1")).toBe(0);
    expect(limiter.peek("token:1")).toBe(1);
    expect(limiter.peek("token:never-seen")).toBe(0);
    expect(limiter.take("token:1")).toBe(1);
    // Another token has its own bucket.
    expect(limiter.take("token:2")).toBe(0);
    clock.advance(1000);
    expect(limiter.take("token:1")).toBe(0);
    expect(limiter.take("token:1")).toBeGreaterThanOrEqual(1);
  });

  it("reads only well-formed bearer headers", () => {
    expect(bearerToken("Bearer baton_abc-DEF_123")).toBe("baton_abc-DEF_123");
    expect(bearerToken("bearer   baton_x ")).toBe("baton_x");
    for (const bad of [undefined, "", "Basic dXNlcg==", "Bearer", "Bearer a b", `Bearer ${"x".repeat(300)}`])
      expect(bearerToken(bad)).toBeNull();
  });

  it("shows an event only to a caller who may read its kind", () => {
    const viewer = new Set(COMMAND_TYPES.filter((type) => ["execution.show", "agent.list"].includes(type)));
    expect(mayRead("execution.finished", viewer)).toBe(true);
    expect(mayRead("step.started", viewer)).toBe(true);
    expect(mayRead("agent.spawned", viewer)).toBe(true);
    expect(mayRead("budget.exceeded", viewer)).toBe(false);
    expect(mayRead("improvement.applied", viewer)).toBe(false);
    expect(mayRead("something.else", new Set(COMMAND_TYPES))).toBe(false);
  });

  it("parses the token commands and redacts tokens wherever text is logged or stored", () => {
    expect(parseCommandText("/orchestrate token create deploy bot")).toEqual({
      kind: "command",
      command: { type: "token.create", name: "deploy bot" },
    });
    expect(parseCommandText("/orchestrate tokens")).toMatchObject({ command: { type: "token.list" } });
    expect(parseCommandText("/orchestrate token revoke #3")).toMatchObject({
      command: { type: "token.revoke", token: 3 },
    });
    expect(parseCommandText("/orchestrate token revoke")).toMatchObject({ kind: "error" });
    const token = `baton_${"A1b2".repeat(11)}`;
    expect(redactSecrets(`curl -H x-token:${token}`)).not.toContain(token);
    expect(redactSecrets(`my token is ${token}`)).not.toContain(token);
  });
});
