import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ProviderSettings } from "../../src/config-llm.js";
import { LlmError } from "../../src/llm/errors.js";
import type { LlmRequest } from "../../src/llm/provider.js";
import { OpenAiProvider } from "../../src/llm/providers/openai.js";
import type { FakeLlmServer } from "../support/fake-llm.js";
import { startFakeOpenAi } from "../support/fake-openai.js";

let fake: FakeLlmServer;

beforeAll(async () => {
  fake = await startFakeOpenAi();
});

afterAll(async () => {
  await fake.close();
});

afterEach(() => {
  fake.requests.length = 0;
});

function provider(overrides: Partial<ProviderSettings> = {}): OpenAiProvider {
  return new OpenAiProvider({
    apiKey: "sk-test-key",
    baseUrl: fake.url,
    model: "gpt-4o-mini",
    temperature: 0.2,
    maxTokens: 512,
    timeoutMs: 5_000,
    ...overrides,
  });
}

const statusTool = {
  name: "status",
  description: "Show the orchestrator status.",
  inputSchema: { type: "object", properties: { verbose: { type: "boolean" } }, additionalProperties: false },
};

function routeRequest(overrides: Partial<LlmRequest> = {}): LlmRequest {
  return {
    system: "You are baton's router.",
    context: "Channel: #ops. Actor: alice.",
    tools: [statusTool],
    toolChoice: "required",
    messages: [{ role: "user", content: "how are things?" }],
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LlmError);
  return error as LlmError;
}

describe("OpenAiProvider against a local OpenAI wire-format server", () => {
  it("sends model, limits, tools and the system prompt first, and parses the tool call", async () => {
    fake.enqueue({ toolCall: { name: "status", arguments: { verbose: true } } });

    const response = await provider().complete(routeRequest());

    expect(fake.requests).toHaveLength(1);
    const [sent] = fake.requests;
    expect(sent?.method).toBe("POST");
    expect(sent?.path).toBe("/v1/chat/completions");
    expect(sent?.headers.authorization).toBe("Bearer sk-test-key");
    expect(sent?.body).toMatchObject({ model: "gpt-4o-mini", max_tokens: 512, temperature: 0.2 });
    expect(sent?.body.tools).toEqual([
      {
        type: "function",
        function: { name: "status", description: statusTool.description, parameters: statusTool.inputSchema },
      },
    ]);
    expect(sent?.body.tool_choice).toBe("required");
    expect(sent?.body.messages[0]).toEqual({
      role: "system",
      content: "You are baton's router.\n\nChannel: #ops. Actor: alice.",
    });
    expect(sent?.body.messages[1]).toEqual({ role: "user", content: "how are things?" });

    expect(response.toolCalls).toEqual([{ id: "call_1", name: "status", argumentsJson: '{"verbose":true}' }]);
    expect(response.stopReason).toBe("tool_calls");
    expect(response.model).toBe("gpt-fake");
  });

  it("keeps malformed tool arguments verbatim and sends the repair turn as tool messages", async () => {
    fake.enqueue({ toolCall: { name: "status", arguments: '{"type": "status",' } });

    const response = await provider().complete(
      routeRequest({
        messages: [
          { role: "user", content: "status please" },
          { role: "assistant", content: "", toolCalls: [{ id: "call_0", name: "status", argumentsJson: "{oops" }] },
          { role: "tool", toolCallId: "call_0", content: "arguments are not valid JSON", isError: true },
        ],
      }),
    );

    expect(response.toolCalls[0]?.argumentsJson).toBe('{"type": "status",');
    const messages = fake.requests[0]?.body.messages;
    expect(messages.slice(2)).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_0", type: "function", function: { name: "status", arguments: "{oops" } }],
      },
      { role: "tool", tool_call_id: "call_0", content: "arguments are not valid JSON" },
    ]);
  });

  it("maps a text reply and usage, with cached tokens billed apart", async () => {
    fake.enqueue({ text: "All quiet.", usage: { input: 300, cachedInput: 1_200, output: 15 } });

    const response = await provider().complete(routeRequest({ toolChoice: "auto", context: "" }));

    expect(fake.requests[0]?.body.tool_choice).toBe("auto");
    expect(fake.requests[0]?.body.messages[0].content).toBe("You are baton's router.");
    expect(response.text).toBe("All quiet.");
    expect(response.toolCalls).toEqual([]);
    expect(response.stopReason).toBe("stop");
    expect(response.usage).toEqual({
      inputTokens: 300,
      outputTokens: 15,
      cachedInputTokens: 1_200,
      cacheWriteTokens: 0,
    });
  });

  it("turns 429 with retry-after into a retryable rate_limited error, with one request only", async () => {
    fake.enqueue({ status: 429, headers: { "retry-after": "2" } });

    const error = await failure(provider().complete(routeRequest()));

    expect(error).toMatchObject({ code: "rate_limited", provider: "openai", status: 429, retryable: true });
    expect(error.retryAfterMs).toBe(2_000);
    expect(fake.requests).toHaveLength(1);
  });

  it.each([
    { status: 500, code: "server_error", retryable: true },
    { status: 401, code: "auth", retryable: false },
    { status: 400, code: "bad_request", retryable: false },
  ])("maps $status to $code (retryable: $retryable) without SDK retries", async ({ status, code, retryable }) => {
    fake.enqueue({ status });

    const error = await failure(provider().complete(routeRequest()));

    expect(error).toMatchObject({ code, status, retryable });
    expect(error.message).toContain(`openai answered ${status}`);
    expect(fake.requests).toHaveLength(1);
  });

  it("times out as a retryable timeout error", async () => {
    fake.enqueue({ delayMs: 2_000, reply: { text: "too late" } });

    const error = await failure(provider({ timeoutMs: 200 }).complete(routeRequest()));

    expect(error).toMatchObject({ code: "timeout", retryable: true });
    expect(fake.requests).toHaveLength(1);
  });

  it("reports an abort through the signal as cancelled", async () => {
    fake.enqueue({ delayMs: 2_000, reply: { text: "too late" } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);

    const error = await failure(provider().complete(routeRequest({ signal: controller.signal })));

    expect(error).toMatchObject({ code: "cancelled", retryable: false });
    expect(fake.requests).toHaveLength(1);
  });

  it("reports a refused connection as a retryable network error", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const error = await failure(provider({ baseUrl: `http://127.0.0.1:${port}/v1` }).complete(routeRequest()));

    expect(error).toMatchObject({ code: "network", retryable: true });
  });

  it("treats a completion without choices as an invalid response", async () => {
    fake.enqueue({ status: 200, body: { id: "x", object: "chat.completion", model: "gpt-fake", choices: [] } });

    const error = await failure(provider().complete(routeRequest()));

    expect(error).toMatchObject({ code: "invalid_response", retryable: false });
  });
});
