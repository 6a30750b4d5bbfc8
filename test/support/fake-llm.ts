/**
 * What the local fake LLM servers (fake-anthropic.ts, fake-openai.ts) share: a queue of scripted
 * replies, answered in each provider's own wire format, and a record of every request received.
 */
export interface FakeUsage {
  input?: number;
  output?: number;
  cachedInput?: number;
  cacheWrite?: number;
}

export type FakeLlmReply =
  /** `arguments` as a string is sent verbatim (for malformed JSON); anything else is JSON-encoded. */
  | { toolCall: { name: string; arguments: unknown }; usage?: FakeUsage }
  | { text: string; usage?: FakeUsage }
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Waits before answering (timeouts); the server gives up quietly if the client goes away. */
  | { delayMs: number; reply: FakeLlmReply };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: a recorded wire body is whatever the SDK sent; tests read into it.
  body: any;
}

export interface FakeLlmServer {
  /** The base URL to give the SDK (`baseURL`). */
  url: string;
  requests: RecordedRequest[];
  enqueue(...replies: FakeLlmReply[]): void;
  close(): Promise<void>;
}
