import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock.js";
import { LlmError } from "../../src/llm/errors.js";
import { LlmMeter } from "../../src/llm/meter.js";
import type { LlmRequest } from "../../src/llm/provider.js";
import { ProviderHealth } from "../../src/llm/provider-health.js";
import { AnthropicProvider } from "../../src/llm/providers/anthropic.js";
import { OpenAiProvider } from "../../src/llm/providers/openai.js";
import type { LlmCallRecord } from "../../src/llm/usage.js";
import { silentLogger } from "../../src/logger.js";
import { LlmCommandRouter } from "../../src/routing/llm-router.js";
import { RulesRouter } from "../../src/routing/rules.js";
import { startFakeAnthropic } from "../support/fake-anthropic.js";
import type { FakeLlmServer } from "../support/fake-llm.js";

/** Answers with headers and the start of a body, then never finishes it. */
let stalling: Server;
let stallingUrl: string;
const held: ServerResponse[] = [];

beforeAll(async () => {
  stalling = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.write('{"id": "partial"');
    held.push(response);
  });
  await new Promise<void>((resolve) => stalling.listen(0, "127.0.0.1", resolve));
  stallingUrl = `http://127.0.0.1:${(stalling.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const response of held) response.destroy();
  stalling.closeAllConnections();
  await new Promise((resolve) => stalling.close(resolve));
});

const request: LlmRequest = {
  system: "route",
  tools: [],
  toolChoice: "auto",
  messages: [{ role: "user", content: "hi" }],
};
const settings = { apiKey: "k", model: "m", temperature: 0, maxTokens: 10, timeoutMs: 300 };

describe("a response body that stalls", () => {
  it.each([
    ["anthropic", () => new AnthropicProvider({ ...settings, baseUrl: stallingUrl })],
    ["openai", () => new OpenAiProvider({ ...settings, baseUrl: `${stallingUrl}/v1` })],
  ])("%s gives up at its own timeout, as a retryable timeout", async (name, create) => {
    const error = await create()
      .complete(request)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ code: "timeout", provider: name, retryable: true });
  });

  it("a passed request deadline is reported as cancelled, not as the provider's fault", async () => {
    const provider = new AnthropicProvider({ ...settings, timeoutMs: 10_000, baseUrl: stallingUrl });
    const error = await provider
      .complete({ ...request, signal: AbortSignal.timeout(200) })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "cancelled", retryable: false });
  });
});

describe("the router without its conversation", () => {
  let anthropic: FakeLlmServer;

  beforeAll(async () => {
    anthropic = await startFakeAnthropic();
  });

  afterAll(async () => {
    await anthropic.close();
  });

  it("routes without the thread when it cannot be read", async () => {
    const calls: LlmCallRecord[] = [];
    const clock = systemClock;
    const router = new LlmCommandRouter({
      providers: [new AnthropicProvider({ ...settings, timeoutMs: 5000, baseUrl: anthropic.url })],
      rules: new RulesRouter(),
      meter: new LlmMeter({ record: async (call) => void calls.push(call) }, {}, clock, silentLogger),
      health: new ProviderHealth(clock, 3, 60_000),
      clock,
      logger: silentLogger,
      fastPathConfidence: 0.8,
      deadlineMs: 5000,
      maxRetryWaitMs: 1000,
    });
    anthropic.enqueue({ toolCall: { name: "execution_list", arguments: {} } });
    const result = await router.route("could you pull up whatever broke recently", {
      actorId: "U1",
      actorName: "ada",
      workflows: [],
      loadThread: () => Promise.reject(new Error("database is gone")),
    });
    expect(result).toMatchObject({ kind: "command", command: { type: "execution.list" }, resolvedBy: "llm:anthropic" });
    expect(calls).toHaveLength(1);
  });
});
