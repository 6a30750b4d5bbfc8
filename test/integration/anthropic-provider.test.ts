import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProviderSettings } from "../../src/config-llm.js";
import { LlmError } from "../../src/llm/errors.js";
import type { LlmRequest } from "../../src/llm/provider.js";
import { AnthropicProvider } from "../../src/llm/providers/anthropic.js";
import { startFakeAnthropic } from "../support/fake-anthropic.js";
import type { FakeLlmServer } from "../support/fake-llm.js";

let fake: FakeLlmServer;

beforeEach(async () => {
  fake = await startFakeAnthropic();
});

afterEach(async () => {
  await fake.close();
});

function provider(overrides: Partial<ProviderSettings> = {}): AnthropicProvider {
  return new AnthropicProvider({
    apiKey: "sk-test-key",
    baseUrl: fake.url,
    model: "claude-test-1",
    temperature: 0.2,
    maxTokens: 512,
    timeoutMs: 5_000,
    ...overrides,
  });
}

const RUN_TOOL = {
  name: "workflow_run",
  description: "Start a workflow.",
  inputSchema: {
    type: "object",
    properties: { workflow: { type: "string" } },
    required: ["workflow"],
  },
};

function routeRequest(overrides: Partial<LlmRequest> = {}): LlmRequest {
  return {
    system: "You route chat messages to baton commands.",
    context: "Actor: ada. Workflows: hello.",
    tools: [RUN_TOOL],
    toolChoice: "required",
    messages: [{ role: "user", content: "run hello for Ada" }],
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(LlmError);
  return error as LlmError;
}

describe("AnthropicProvider request", () => {
  it("sends model, limits, tools, tool_choice any and a cached system prefix to /v1/messages", async () => {
    fake.enqueue({ toolCall: { name: "workflow_run", arguments: { workflow: "hello" } } });

    await provider().complete(routeRequest());

    expect(fake.requests).toHaveLength(1);
    const [sent] = fake.requests;
    expect(sent?.method).toBe("POST");
    expect(sent?.path).toBe("/v1/messages");
    // SDK 1.x sends the API key as a bearer token, not as `x-api-key`.
    expect(sent?.headers.authorization).toBe("Bearer sk-test-key");
    expect(sent?.headers["x-api-key"]).toBeUndefined();
    expect(sent?.headers["anthropic-version"]).toBe("2026-10-21");
    expect(sent?.body).toMatchObject({ model: "claude-test-1", max_tokens: 512 });
    // API version 2026-10-21 rejects any sampling parameter with 400, so none is sent.
    expect(sent?.body).not.toHaveProperty("temperature");
    expect(sent?.body.tools).toEqual([
      { name: RUN_TOOL.name, description: RUN_TOOL.description, input_schema: RUN_TOOL.inputSchema },
    ]);
    expect(sent?.body.tool_choice).toEqual({ type: "any" });
    expect(sent?.body.system).toEqual([
      { type: "text", text: "You route chat messages to baton commands.", cache_control: { type: "ephemeral" } },
      { type: "text", text: "Actor: ada. Workflows: hello." },
    ]);
    expect(sent?.body.messages).toEqual([{ role: "user", content: "run hello for Ada" }]);
  });

  it("sends a repair turn: tool_use blocks, then every tool result merged into one user message", async () => {
    fake.enqueue({ text: "ok" });
    const { context: _context, ...withoutContext } = routeRequest();

    await provider().complete({
      ...withoutContext,
      toolChoice: "auto",
      messages: [
        { role: "user", content: "run hello" },
        {
          role: "assistant",
          content: "",
          toolCalls: [
            { id: "toolu_a", name: "workflow_run", argumentsJson: '{"workflow":"helo"}' },
            { id: "toolu_b", name: "workflow_run", argumentsJson: '{"workflow": "hel' },
          ],
        },
        { role: "tool", toolCallId: "toolu_a", content: "unknown workflow helo", isError: true },
        { role: "tool", toolCallId: "toolu_b", content: "arguments are not valid JSON", isError: true },
      ],
    });

    const body = fake.requests[0]?.body;
    expect(body.tool_choice).toEqual({ type: "auto" });
    expect(body.system).toHaveLength(1);
    expect(body.messages).toEqual([
      { role: "user", content: "run hello" },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "toolu_a", name: "workflow_run", input: { workflow: "helo" } },
          { type: "tool_use", id: "toolu_b", name: "workflow_run", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_a", content: "unknown workflow helo", is_error: true },
          { type: "tool_result", tool_use_id: "toolu_b", content: "arguments are not valid JSON", is_error: true },
        ],
      },
    ]);
  });
});

describe("AnthropicProvider response", () => {
  it("parses a tool call and maps usage, cache reads and writes included", async () => {
    fake.enqueue({
      toolCall: { name: "workflow_run", arguments: { workflow: "hello", input: { name: "Ada" } } },
      usage: { input: 40, output: 12, cachedInput: 900, cacheWrite: 30 },
    });

    const response = await provider().complete(routeRequest());

    expect(response).toEqual({
      model: "claude-test-1",
      text: null,
      toolCalls: [
        { id: "toolu_1", name: "workflow_run", argumentsJson: '{"workflow":"hello","input":{"name":"Ada"}}' },
      ],
      usage: { inputTokens: 40, outputTokens: 12, cachedInputTokens: 900, cacheWriteTokens: 30 },
      stopReason: "tool_use",
    });
  });

  it("returns a text reply with default usage", async () => {
    fake.enqueue({ text: "Hello, Ada." });

    const response = await provider().complete(routeRequest({ toolChoice: "auto" }));

    expect(response.text).toBe("Hello, Ada.");
    expect(response.toolCalls).toEqual([]);
    expect(response.stopReason).toBe("end_turn");
    expect(response.usage).toEqual({ inputTokens: 100, outputTokens: 20, cachedInputTokens: 0, cacheWriteTokens: 0 });
  });

  it("turns a body the SDK cannot parse (malformed tool input) into invalid_response", async () => {
    fake.enqueue({ toolCall: { name: "workflow_run", arguments: '{"workflow": "hel' } });

    const error = await failure(provider().complete(routeRequest()));

    expect(error).toMatchObject({ code: "invalid_response", retryable: false });
    expect(fake.requests).toHaveLength(1);
  });
});

describe("AnthropicProvider errors", () => {
  it.each([
    { status: 429, headers: { "retry-after": "2" }, code: "rate_limited", retryable: true, retryAfterMs: 2000 },
    { status: 529, headers: {}, code: "overloaded", retryable: true, retryAfterMs: null },
    { status: 500, headers: {}, code: "server_error", retryable: true, retryAfterMs: null },
    { status: 401, headers: {}, code: "auth", retryable: false, retryAfterMs: null },
    { status: 400, headers: {}, code: "bad_request", retryable: false, retryAfterMs: null },
  ])("maps $status to $code with exactly one request", async ({ status, headers, code, retryable, retryAfterMs }) => {
    fake.enqueue({ status, headers });

    const error = await failure(provider().complete(routeRequest()));

    expect(error).toMatchObject({ code, retryable, retryAfterMs, status, provider: "anthropic" });
    expect(error.message).toContain(`fake-anthropic: `);
    expect(fake.requests).toHaveLength(1);
  });

  it("times out after settings.timeoutMs, retryable, without retrying", async () => {
    fake.enqueue({ delayMs: 2_000, reply: { text: "too late" } });
    const started = Date.now();

    const error = await failure(provider({ timeoutMs: 200 }).complete(routeRequest()));

    expect(error).toMatchObject({ code: "timeout", retryable: true });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(fake.requests).toHaveLength(1);
  });

  it("is cancelled through the request's signal", async () => {
    fake.enqueue({ delayMs: 2_000, reply: { text: "too late" } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const error = await failure(provider().complete(routeRequest({ signal: controller.signal })));

    expect(error).toMatchObject({ code: "cancelled", retryable: false });
    expect(fake.requests).toHaveLength(1);
  });
});
