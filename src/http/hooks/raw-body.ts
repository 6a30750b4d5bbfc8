import type { Context } from "hono";
import { type Problem, problem } from "../problem.js";

/**
 * A webhook's body as bytes (signatures are over the exact bytes sent), read at most `maxBytes`
 * far: 415 for anything but application/json, 413 past the limit (by Content-Length before
 * reading, or while reading). The same limits as src/http/read-json.ts.
 */
export async function readRawJsonBody(c: Context, maxBytes: number): Promise<{ raw: Buffer } | { problem: Problem }> {
  const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json")
    return { problem: problem(415, "unsupported_media_type", "Send the body as application/json.") };
  if (Number(c.req.header("content-length") ?? "0") > maxBytes) return { problem: tooLarge(maxBytes) };
  const stream = c.req.raw.body;
  if (stream === null) return { raw: Buffer.alloc(0) };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { problem: tooLarge(maxBytes) };
    }
    chunks.push(value);
  }
  return { raw: Buffer.concat(chunks) };
}

/** The body parsed: 400 when it is not JSON. Any JSON value is accepted; templates say what they read. */
export function parseJsonBody(raw: Buffer): { body: unknown } | { problem: Problem } {
  try {
    return { body: JSON.parse(raw.toString("utf8")) as unknown };
  } catch {
    return { problem: problem(400, "invalid_json", "The body is not valid JSON.") };
  }
}

function tooLarge(maxBytes: number): Problem {
  return problem(413, "body_too_large", `The body is larger than ${maxBytes} bytes.`);
}
