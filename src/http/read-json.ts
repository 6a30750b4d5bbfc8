import type { Context } from "hono";
import { type Problem, problem } from "./problem.js";

/**
 * A request's JSON body, read at most `maxBytes` far: 415 for anything but application/json,
 * 413 past the limit (by Content-Length before reading, or while reading), 400 when it does not
 * parse or is not an object.
 */
export async function readJsonObject(
  c: Context,
  maxBytes: number,
): Promise<{ body: Record<string, unknown> } | { problem: Problem }> {
  const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json")
    return { problem: problem(415, "unsupported_media_type", "Send the body as application/json.") };
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > maxBytes) return { problem: tooLarge(maxBytes) };
  const text = await readLimited(c.req.raw.body, maxBytes);
  if (text === null) return { problem: tooLarge(maxBytes) };
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

async function readLimited(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string | null> {
  if (stream === null) return "";
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
