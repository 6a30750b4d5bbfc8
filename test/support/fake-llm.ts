import type { IncomingMessage } from "node:http";

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

/** The whole request body as text (a fake must read it before answering). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

/** A request as tests read it: lower-cased headers and the body parsed as JSON when it is JSON. */
export function recordRequest(req: IncomingMessage, raw: string): RecordedRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return { method: req.method ?? "", path: req.url ?? "", headers, body: parseJson(raw) };
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
