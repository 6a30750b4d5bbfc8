/**
 * One spec every LLM provider maps its SDK to (vercel/ai's LanguageModel idea): providers stay
 * thin; routing, fallback, usage and cost wrap them instead of living inside each one.
 */

export type LlmPurpose = "route" | "agent" | "improve";

/** A tool the model may call; `inputSchema` is a JSON Schema object. */
export interface LlmToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface LlmToolCall {
  id: string;
  name: string;
  /** The arguments exactly as the model sent them (JSON text, possibly malformed). */
  argumentsJson: string;
}

export type LlmMessage =
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: LlmToolCall[] }
  /** The answer to a tool call: for the router, the validation error that asks for a repair. */
  | { role: "tool"; toolCallId: string; content: string; isError?: boolean };

export interface LlmRequest {
  /** Static instructions: with `tools`, the prefix a provider may cache. */
  system: string;
  /** Per-request context (thread, actor, workflows), sent after the cacheable prefix. */
  context?: string;
  tools: LlmToolSpec[];
  /** `required`: the model must call a tool. */
  toolChoice: "required" | "auto";
  messages: LlmMessage[];
  /** Overrides the provider's configured temperature (a specialty's); providers without one ignore it. */
  temperature?: number;
  signal?: AbortSignal;
}

export interface LlmUsage {
  /** Input tokens billed at the full rate (not read from a cache). */
  inputTokens: number;
  outputTokens: number;
  /** Input tokens read from the provider's prompt cache. */
  cachedInputTokens: number;
  /** Input tokens written to the prompt cache (Anthropic bills these at a premium). */
  cacheWriteTokens: number;
}

export interface LlmResponse {
  model: string;
  text: string | null;
  toolCalls: LlmToolCall[];
  usage: LlmUsage;
  stopReason: string | null;
}

export interface LlmProvider {
  /** `anthropic`, `openai`: recorded as `llm:<name>` in the audit log. */
  readonly name: string;
  readonly model: string;
  complete(request: LlmRequest): Promise<LlmResponse>;
}
