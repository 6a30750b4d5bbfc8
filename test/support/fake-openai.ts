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
 * A local server that answers in OpenAI's Chat Completions wire format, so tests run the real
 * `openai` SDK end to end.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
export async function startFakeOpenAi(): Promise<FakeLlmServer> {
  const requests: RecordedRequest[] = [];
  const queue: FakeLlmReply[] = [];
  let callCount = 0;

  const server = createServer((req, res) => {
    void readBody(req).then(async (raw) => {
      requests.push(recordRequest(req, raw));
      const reply = queue.shift();
      if (!reply) {
        sendJson(res, 500, errorBody("fake-openai: no reply was queued for this request", "server_error"));
        return;
      }
      callCount += 1;
      await answer(res, reply, `call_${callCount}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(res: ServerResponse, reply: FakeLlmReply, callId: string): Promise<void> {
  if ("delayMs" in reply) {
    await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    // The client may have given up (timeout, abort) while we waited: answer nothing then.
    if (res.destroyed || !res.socket || res.socket.destroyed) return;
    await answer(res, reply.reply, callId);
    return;
  }
  if ("status" in reply) {
    const body = reply.body ?? errorBody(`fake-openai: scripted ${reply.status}`, errorType(reply.status));
    sendJson(res, reply.status, body, reply.headers);
    return;
  }
  sendJson(res, 200, completion(reply, callId));
}

function completion(reply: Extract<FakeLlmReply, { text: string } | { toolCall: unknown }>, callId: string) {
  const message =
    "toolCall" in reply
      ? {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: callId,
              type: "function",
              function: { name: reply.toolCall.name, arguments: encodeArguments(reply.toolCall.arguments) },
            },
          ],
        }
      : { role: "assistant", content: reply.text };
  return {
    id: `chatcmpl-${callId}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: "gpt-fake",
    choices: [{ index: 0, message, logprobs: null, finish_reason: "toolCall" in reply ? "tool_calls" : "stop" }],
    usage: usageBody(reply.usage),
  };
}

/** A string is sent verbatim, so tests can hand the SDK malformed JSON arguments. */
function encodeArguments(args: unknown): string {
  return typeof args === "string" ? args : JSON.stringify(args);
}

function usageBody(usage: FakeUsage | undefined) {
  const input = usage?.input ?? 100;
  const cached = usage?.cachedInput ?? 0;
  const output = usage?.output ?? 20;
  return {
    prompt_tokens: input + cached,
    completion_tokens: output,
    total_tokens: input + cached + output,
    prompt_tokens_details: { cached_tokens: cached },
  };
}

function errorBody(message: string, type: string) {
  return { error: { message, type, code: null } };
}

function errorType(status: number): string {
  if (status === 429) return "rate_limit_exceeded";
  if (status === 401) return "invalid_request_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}
