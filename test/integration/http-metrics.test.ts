import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { startFakeAnthropic } from "../support/fake-anthropic.js";
import { ADA, type HttpTestApp, startHttpApp } from "../support/http-app.js";

/** The value of one sample in a Prometheus text exposition, or 0 when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const braces = /\{([^}]*)\}/.exec(line)?.[1] ?? "";
    const present = braces.split(",");
    if (wanted.every((pair) => present.includes(pair))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return 0;
}

describe("GET /metrics", () => {
  let database: TestDatabase;
  let http: HttpTestApp;

  beforeEach(async () => {
    database = sqliteDatabase();
    http = await startHttpApp({ url: database.url });
  });

  afterEach(async () => {
    await http.close();
    await database.drop();
  });

  const scrape = async () => {
    const response = await fetch(`${http.base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    return response.text();
  };

  it("moves the request, latency, execution and step counters after a run", async () => {
    const before = await scrape();
    const token = await http.tokenFor(ADA);
    const response = await fetch(`${http.base}/api/v1/commands`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        command: { type: "workflow.run", workflow: "hello", input: { name: "Ada" } },
        wait: true,
      }),
    });
    expect(response.status).toBe(200);
    const after = await scrape();
    const run = { platform: "api", command: "workflow.run", outcome: "ok" };
    expect(sample(after, "baton_requests_total", run) - sample(before, "baton_requests_total", run)).toBe(1);
    // The token was made through the dispatcher too, from the console.
    expect(sample(after, "baton_requests_total", { platform: "console", command: "token.create" })).toBe(1);
    expect(sample(after, "baton_dispatch_duration_seconds_count", { platform: "api" })).toBe(1);
    expect(sample(after, "baton_executions", { status: "succeeded" })).toBe(1);
    expect(sample(after, "baton_step_attempts_total", { tool: "template", outcome: "succeeded" })).toBe(1);
    expect(sample(after, "baton_audit_rows_pending")).toBe(0);
    expect(after).toContain("baton_nodejs_eventloop_lag_seconds");
    expect(after).toContain("baton_process_resident_memory_bytes");
    for (const family of ["baton_llm_calls_total", "baton_schedule_fires_total", "baton_digest_deliveries_total"])
      expect(after).toContain(`# TYPE ${family} counter`);
  });

  it("counts an LLM call's tokens and cost by provider and model", async () => {
    const anthropic = await startFakeAnthropic();
    const file = sqliteDatabase();
    const withLlm = await startHttpApp({
      url: file.url,
      env: { ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: anthropic.url, LLM_PROVIDERS: "anthropic" },
    });
    try {
      anthropic.enqueue({ toolCall: { name: "status", arguments: {} }, usage: { input: 1200, output: 30 } });
      const token = await withLlm.tokenFor(ADA);
      const response = await fetch(`${withLlm.base}/api/v1/commands`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ text: "frobnicate the quux for me, would you" }),
      });
      const body = (await response.json()) as { resolvedBy: string; command: { type: string } };
      expect(body).toMatchObject({ resolvedBy: "llm:anthropic", command: { type: "status" } });
      const text = await (await fetch(`${withLlm.base}/metrics`)).text();
      const model = { provider: "anthropic", model: "claude-haiku-4-5" };
      expect(sample(text, "baton_llm_calls_total", { ...model, outcome: "ok" })).toBe(1);
      expect(sample(text, "baton_llm_tokens_total", { ...model, direction: "input" })).toBe(1200);
      expect(sample(text, "baton_llm_tokens_total", { ...model, direction: "output" })).toBe(30);
      expect(sample(text, "baton_llm_cost_usd_total", model)).toBeGreaterThan(0);
    } finally {
      await withLlm.close();
      await anthropic.close();
      await file.drop();
    }
  });
});
