import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type FakeLlmReply,
  type FakeLlmServer,
  type FakeUsage,
  type RecordedRequest,
  readBody,
  recordRequest,
} from "./fake-llm.js";

/**
 * A local server that answers POST /v1/messages in Anthropic's wire format, so tests run the real
 * SDK against it (`baseURL` = `url`).
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/api/errors
 */
export async function startFakeAnthropic(): Promise<FakeLlmServer> {
  const requests: RecordedRequest[] = [];
  const queue: FakeLlmReply[] = [];
  const ids = { message: 0, toolUse: 0 };

  const server = createServer((req, res) => {
    void readBody(req)
      .then((raw) => {
        const request = recordRequest(req, raw);
        requests.push(request);
        answer(res, queue.shift() ?? NOT_QUEUED, modelOf(request), ids);
      })
      // Never crash the test process over a client that went away mid-answer.
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...replies) => queue.push(...replies),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

const NOT_QUEUED: FakeLlmReply = {
  status: 500,
  body: { type: "error", error: { type: "api_error", message: "fake-anthropic: no reply was queued" } },
};

/** Anthropic's `error.type` for a status. */
const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  504: "timeout_error",
  529: "overloaded_error",
};

function modelOf(request: RecordedRequest): string {
  const model: unknown = request.body?.model;
  return typeof model === "string" ? model : "claude-fake";
}

function answer(res: ServerResponse, reply: FakeLlmReply, model: string, ids: { message: number; toolUse: number }) {
  if ("delayMs" in reply) {
    const timer = setTimeout(() => answer(res, reply.reply, model, ids), reply.delayMs);
    // The client gave up (timeout, abort): drop the answer quietly.
    res.on("close", () => clearTimeout(timer));
    return;
  }
  if (res.destroyed || res.writableEnded) return;
  if ("status" in reply) return send(res, reply.status, errorBody(reply), reply.headers);
  ids.message += 1;
  const id = `msg_fake_${ids.message}`;
  if ("toolCall" in reply) {
    ids.toolUse += 1;
    const { name, arguments: args } = reply.toolCall;
    // Concatenated, not re-encoded: a string `arguments` reaches the SDK byte for byte, malformed or not.
    const input = typeof args === "string" ? args : JSON.stringify(args ?? {});
    const content = `[{"type":"tool_use","id":"toolu_${ids.toolUse}","name":${JSON.stringify(name)},"input":${input}}]`;
    return send(res, 200, messageBody(id, model, content, "tool_use", reply.usage));
  }
  const content = JSON.stringify([{ type: "text", text: reply.text, citations: null }]);
  return send(res, 200, messageBody(id, model, content, "end_turn", reply.usage));
}

function messageBody(id: string, model: string, contentJson: string, stopReason: string, usage: FakeUsage = {}) {
  const wireUsage = JSON.stringify({
    input_tokens: usage.input ?? 100,
    output_tokens: usage.output ?? 20,
    cache_read_input_tokens: usage.cachedInput ?? 0,
    cache_creation_input_tokens: usage.cacheWrite ?? 0,
  });
  const head = `{"id":${JSON.stringify(id)},"type":"message","role":"assistant","model":${JSON.stringify(model)}`;
  return `${head},"content":${contentJson},"stop_reason":"${stopReason}","stop_sequence":null,"usage":${wireUsage}}`;
}

function errorBody(reply: { status: number; body?: unknown }): string {
  if (reply.body !== undefined) return typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
  const type = ERROR_TYPES[reply.status] ?? (reply.status >= 500 ? "api_error" : "invalid_request_error");
  return JSON.stringify({ type: "error", error: { type, message: `fake-anthropic: ${type} (${reply.status})` } });
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "request-id": `req_fake_${Date.now()}`,
    ...headers,
  });
  res.end(body);
}
