import type { Context } from "hono";
import { type Problem, problem } from "./problem.js";

/**
 * A JSON request's body as the bytes sent (webhook signatures are over exactly these), read at
 * most `maxBytes` far: 415 for anything but application/json, 413 past the limit (by
 * Content-Length before reading, or while reading).
 */
export async function readJsonBytes(c: Context, maxBytes: number): Promise<{ raw: Buffer } | { problem: Problem }> {
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

/** The body as a JSON object (an empty body is `{}`): 400 when it does not parse or is not an object. */
export async function readJsonObject(
  c: Context,
  maxBytes: number,
): Promise<{ body: Record<string, unknown> } | { problem: Problem }> {
  const read = await readJsonBytes(c, maxBytes);
  if ("problem" in read) return read;
  const text = read.raw.toString("utf8");
  let parsed: unknown;
  try {
    parsed = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    return { problem: problem(400, "invalid_json", "The body is not valid JSON.") };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    return { problem: problem(400, "invalid_body", "The body must be a JSON object.", { field: "/" }) };
  return { body: parsed as Record<string, unknown> };
}

function tooLarge(maxBytes: number): Problem {
  return problem(413, "body_too_large", `The body is larger than ${maxBytes} bytes.`);
}
