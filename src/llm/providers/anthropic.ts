import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from "@anthropic-ai/sdk";
import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  Tool,
  ToolResultBlockParam,
  ToolUseBlockParam,
} from "@anthropic-ai/sdk/resources/messages";
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

const PROVIDER = "anthropic";

/**
 * Maps the LlmProvider spec to the Anthropic Messages API with tools and prompt caching.
 * @see https://docs.anthropic.com/en/api/messages
 */
export class AnthropicProvider implements LlmProvider {
  readonly name = PROVIDER;
  readonly model: string;
  private readonly client: Anthropic;
  private readonly settings: ProviderSettings;

  constructor(settings: ProviderSettings) {
    this.settings = settings;
    this.model = settings.model;
    // maxRetries 0: the router decides retries and fallback; the SDK must not retry blindly.
    this.client = new Anthropic({
      apiKey: settings.apiKey,
      ...(settings.baseUrl === undefined ? {} : { baseURL: settings.baseUrl }),
      timeout: settings.timeoutMs,
      maxRetries: 0,
    });
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const message = await callWithTimeout(
      "anthropic",
      this.settings.timeoutMs,
      request.signal,
      (signal) => this.client.messages.create(this.toParams(request), { signal }),
      toLlmError,
    );
    return toLlmResponse(message);
  }

  private toParams(request: LlmRequest): MessageCreateParamsNonStreaming {
    return {
      model: this.settings.model,
      max_tokens: this.settings.maxTokens,
      // No temperature: SDK 1.x speaks API version 2026-10-21, which answers 400 to temperature,
      // top_p or top_k at any value, so settings.temperature does not apply to this provider.
      system: systemBlocks(request),
      messages: toMessages(request.messages),
      ...(request.tools.length > 0
        ? {
            tools: request.tools.map(toTool),
            tool_choice: { type: request.toolChoice === "required" ? "any" : "auto" },
          }
        : {}),
    };
  }
}

/**
 * The cache breakpoint sits on the static system block, so tools + system (Anthropic's prefix
 * order is tools → system → messages) are cached; the per-request context follows it uncached.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching
 */
function systemBlocks(request: LlmRequest): TextBlockParam[] {
  const blocks: TextBlockParam[] = [{ type: "text", text: request.system, cache_control: { type: "ephemeral" } }];
  if (request.context) blocks.push({ type: "text", text: request.context });
  return blocks;
}

function toTool(tool: LlmToolSpec): Tool {
  return {
    name: tool.name,
    description: tool.description,
    input_schema: { ...tool.inputSchema, type: "object" },
  };
}

/** Tool results travel in user turns; consecutive ones share a single user message. */
function toMessages(messages: readonly LlmMessage[]): MessageParam[] {
  const out: MessageParam[] = [];
  let results: ToolResultBlockParam[] | null = null;
  for (const message of messages) {
    if (message.role !== "tool") {
      results = null;
      out.push(toMessage(message));
      continue;
    }
    if (results === null) {
      results = [];
      out.push({ role: "user", content: results });
    }
    results.push({
      type: "tool_result",
      tool_use_id: message.toolCallId,
      content: message.content,
      is_error: message.isError ?? false,
    });
  }
  return out;
}

function toMessage(message: Exclude<LlmMessage, { role: "tool" }>): MessageParam {
  if (message.role === "user") return { role: "user", content: message.content };
  const calls = message.toolCalls ?? [];
  if (calls.length === 0) return { role: "assistant", content: message.content };
  const text: ContentBlockParam[] = message.content === "" ? [] : [{ type: "text", text: message.content }];
  return { role: "assistant", content: [...text, ...calls.map(toToolUse)] };
}

function toToolUse(call: LlmToolCall): ToolUseBlockParam {
  return { type: "tool_use", id: call.id, name: call.name, input: parseInput(call.argumentsJson) };
}

/** The API takes `input` as an object: malformed arguments (a repair turn) are sent as `{}`. */
function parseInput(argumentsJson: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(argumentsJson);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function toLlmResponse(message: Message): LlmResponse {
  if (!Array.isArray(message?.content))
    throw new LlmError({ code: "invalid_response", provider: PROVIDER, message: "anthropic returned no content" });
  const texts = message.content.flatMap((block) => (block.type === "text" ? [block.text] : []));
  return {
    model: message.model,
    text: texts.length > 0 ? texts.join("") : null,
    toolCalls: message.content.flatMap((block) =>
      block.type === "tool_use"
        ? [{ id: block.id, name: block.name, argumentsJson: JSON.stringify(block.input ?? {}) }]
        : [],
    ),
    usage: toUsage(message.usage),
    stopReason: message.stop_reason ?? null,
  };
}

/** Anthropic's input_tokens already excludes cache reads and writes. */
function toUsage(usage: Message["usage"] | undefined): LlmUsage {
  return {
    inputTokens: usage?.input_tokens ?? 0,
    outputTokens: usage?.output_tokens ?? 0,
    cachedInputTokens: usage?.cache_read_input_tokens ?? 0,
    cacheWriteTokens: usage?.cache_creation_input_tokens ?? 0,
  };
}

/** Every SDK failure as one LlmError. apiMessage is the body's error.message; the SDK's own message is "<status> <whole JSON body>". */
export const toLlmError = sdkErrorMapper(
  PROVIDER,
  { APIUserAbortError, APIConnectionTimeoutError, APIConnectionError, APIError },
  (error) => error.apiMessage ?? error.message,
);
