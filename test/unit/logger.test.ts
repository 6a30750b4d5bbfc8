import { describe, expect, it } from "vitest";
import { createLogger, type LogFields } from "../../src/logger.js";

const SLACK_TOKEN = "xoxb-123456789012-abcdefghijkl";
const OPENAI_KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123";

/** The one line a logger writes for `fields`, parsed back. */
function logged(fields: LogFields): Record<string, unknown> {
  const lines: string[] = [];
  createLogger("debug", (line) => lines.push(line)).error("step failed", fields);
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] as string) as Record<string, unknown>;
}

describe("logging an error", () => {
  it("keeps the name, message, code, stack and every cause", () => {
    const root = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const middle = new TypeError("fetch failed", { cause: root });
    const top = new Error("digest post failed", { cause: middle });
    const entry = logged({ error: top });
    expect(entry.error).toMatchObject({
      name: "Error",
      message: "digest post failed",
      stack: expect.stringContaining("digest post failed"),
      cause: {
        name: "TypeError",
        message: "fetch failed",
        stack: expect.stringContaining("logger.test.ts"),
        cause: { name: "Error", message: "connect ECONNREFUSED", code: "ECONNREFUSED", stack: expect.any(String) },
      },
    });
  });

  it("writes a cycle of causes once, marked, instead of looping", () => {
    const first = new Error("first");
    const second = new Error("second", { cause: first });
    (first as { cause?: unknown }).cause = second;
    const entry = logged({ error: first });
    expect(entry.error).toMatchObject({
      message: "first",
      cause: { message: "second", cause: { name: "Error", circular: true } },
    });
  });

  it("cuts a very deep chain of causes", () => {
    let error = new Error("depth 0");
    for (let depth = 1; depth <= 50; depth++) error = new Error(`depth ${depth}`, { cause: error });
    const line = JSON.stringify(logged({ error }));
    expect(line).toContain('"truncated":true');
    expect(line).not.toContain("depth 0");
  });

  it("redacts a secret in a message, a stack, a cause and a field of a cause", () => {
    const cause = Object.assign(new Error(`upstream rejected ${OPENAI_KEY}`), { code: "E_AUTH" });
    const error = new Error(`slack said no to ${SLACK_TOKEN}`, { cause });
    const line = JSON.stringify(logged({ error, detail: { cause: `again ${OPENAI_KEY}` } }));
    expect(line).not.toContain(SLACK_TOKEN);
    expect(line).not.toContain(OPENAI_KEY);
    const entry = JSON.parse(line) as { error: { message: string; stack: string; cause: { stack: string } } };
    expect(entry.error.message).toContain("[REDACTED:slack-token]");
    expect(entry.error.stack).toContain("[REDACTED:slack-token]");
    expect(entry.error.cause.stack).toContain("[REDACTED:openai-key]");
  });

  it("keeps a cause that is not an Error as a value", () => {
    const entry = logged({ error: new Error("wrapped", { cause: { status: 503, password: "hunter2" } }) });
    expect(entry.error).toMatchObject({ cause: { status: 503, password: "[REDACTED]" } });
  });
});
