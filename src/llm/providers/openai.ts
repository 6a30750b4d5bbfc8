import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import type { ProviderSettings } from "../../config-llm.js";
import { callWithTimeout } from "../call-timeout.js";
import { LlmError } from "../errors.js";
import type {
  LlmMessage,
  LlmProvider,
  LlmRequest,
  LlmResponse,
  LlmToolCall,
  LlmToolSpec,
  LlmUsage,
} from "../provider.js";
import { sdkErrorMapper } from "./sdk-errors.js";

const PROVIDER = "openai";

/**
 * Maps the LlmProvider spec to OpenAI Chat Completions with tools. Also speaks to any
 * OpenAI-compatible server through `baseUrl` (OPENAI_BASE_URL).
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
export class OpenAiProvider implements LlmProvider {
  readonly name = PROVIDER;
  readonly model: string;
  private readonly client: OpenAI;
  private readonly settings: ProviderSettings;

  constructor(settings: ProviderSettings) {
    this.settings = settings;
    this.model = settings.model;
    // maxRetries 0: the router decides retries and fallback; the SDK must not retry blindly.
    this.client = new OpenAI({
      apiKey: settings.apiKey,
      ...(settings.baseUrl === undefined ? {} : { baseURL: settings.baseUrl }),
      timeout: settings.timeoutMs,
      maxRetries: 0,
    });
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const completion: ChatCompletion = await callWithTimeout(
      "openai",
      this.settings.timeoutMs,
      request.signal,
      (signal) => this.client.chat.completions.create(this.toParams(request), { signal }),
      toLlmError,
    );
    return toLlmResponse(completion);
  }

  private toParams(request: LlmRequest): ChatCompletionCreateParamsNonStreaming {
    return {
      model: this.settings.model,
      ...limits(this.settings, request.temperature),
      messages: [systemMessage(request), ...request.messages.map(toMessage)],
      ...(request.tools.length > 0 ? { tools: request.tools.map(toTool), tool_choice: request.toolChoice } : {}),
    };
  }
}

/**
 * OpenAI's reasoning models (o1, o3, o4-mini, gpt-5…) reject `max_tokens` and `temperature`; every
 * other model, and OpenAI-compatible servers (local model servers), understand exactly those.
 */
const REASONING_MODEL = /^(o\d|gpt-5)/;

function limits(settings: ProviderSettings, temperature = settings.temperature) {
  if (REASONING_MODEL.test(settings.model)) return { max_completion_tokens: settings.maxTokens };
  return { temperature, max_tokens: settings.maxTokens };
}

/** Static instructions first, so OpenAI's automatic prefix caching can reuse them across requests. */
function systemMessage(request: LlmRequest): ChatCompletionMessageParam {
  const context = request.context ? `\n\n${request.context}` : "";
  return { role: "system", content: `${request.system}${context}` };
}

function toMessage(message: LlmMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case "user":
      return { role: "user", content: message.content };
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    case "assistant": {
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) return { role: "assistant", content: message.content };
      return {
        role: "assistant",
        content: message.content === "" ? null : message.content,
        tool_calls: calls.map((call) => ({
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: call.argumentsJson },
        })),
      };
    }
  }
}

function toTool(tool: LlmToolSpec): ChatCompletionTool {
  return {
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
  };
}

function toLlmResponse(completion: ChatCompletion): LlmResponse {
  const choice = completion.choices?.[0];
  if (!choice)
    throw new LlmError({ code: "invalid_response", provider: PROVIDER, message: "openai returned no choices" });
  return {
    model: completion.model,
    text: choice.message.content ?? null,
    toolCalls: (choice.message.tool_calls ?? []).flatMap(toToolCall),
    usage: toUsage(completion.usage),
    stopReason: choice.finish_reason ?? null,
  };
}

/** Only function tool calls; `arguments` verbatim, even when it is not valid JSON (the router repairs it). */
function toToolCall(call: ChatCompletionMessageToolCall): LlmToolCall[] {
  if (call.type !== "function") return [];
  return [{ id: call.id, name: call.function.name, argumentsJson: call.function.arguments }];
}

/** OpenAI counts cached tokens inside prompt_tokens; the spec bills them apart. */
function toUsage(usage: ChatCompletion["usage"]): LlmUsage {
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    inputTokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cached),
    outputTokens: usage?.completion_tokens ?? 0,
    cachedInputTokens: cached,
    cacheWriteTokens: 0,
  };
}

/** Every SDK failure as one LlmError. The SDK's message starts with the status ("429 Rate limit…"); llmErrorFromStatus adds its own. */
export const toLlmError = sdkErrorMapper(
  PROVIDER,
  { APIUserAbortError, APIConnectionTimeoutError, APIConnectionError, APIError },
  (error) => error.message.replace(/^\d{3} /, ""),
);
