import { describe, expect, it } from "vitest";
import { COMMAND_TYPES } from "../../src/commands/commands.js";
import { CLARIFY_TOOL, COMMAND_TOOLS, readToolCall, toolName } from "../../src/routing/command-tools.js";

const call = (name: string, argumentsJson: string) => ({ id: "t1", name, argumentsJson });

describe("command tools", () => {
  it("offers one tool per command type, named without dots, plus the clarifying question", () => {
    const names = COMMAND_TOOLS.map((t) => t.name);
    expect(names).toEqual([...COMMAND_TYPES.map(toolName), CLARIFY_TOOL]);
    expect(names.every((n) => /^[a-zA-Z0-9_-]{1,64}$/.test(n))).toBe(true);
  });

  it("generates each input schema from the zod schema, without the type field", () => {
    const run = COMMAND_TOOLS.find((t) => t.name === "workflow_run");
    expect(run?.inputSchema).toMatchObject({
      type: "object",
      required: ["workflow"],
      properties: { workflow: { type: "string" }, input: { type: "object" } },
    });
    expect(run?.inputSchema).not.toHaveProperty("$schema");
    const everything = JSON.stringify(COMMAND_TOOLS.map((t) => t.inputSchema));
    expect(everything).not.toMatch(/propertyNames|"default"|9007199254740991/);
    expect(COMMAND_TOOLS.every((t) => t.inputSchema.type === "object")).toBe(true);
    expect(JSON.stringify(run?.inputSchema)).not.toContain('"type":{"');
    const mode = COMMAND_TOOLS.find((t) => t.name === "orchestrator_mode");
    expect(mode?.inputSchema).toMatchObject({
      properties: { mode: { enum: ["manual", "scheduled", "continuous", "paused"] } },
    });
  });

  it("reads a valid call as a command validated by zod", () => {
    expect(readToolCall(call("workflow_run", '{"workflow":"hello","input":{"name":"Ada"}}'))).toEqual({
      kind: "command",
      command: { type: "workflow.run", workflow: "hello", input: { name: "Ada" } },
    });
    expect(readToolCall(call("status", ""))).toEqual({ kind: "command", command: { type: "status" } });
  });

  it("explains invalid calls in words a model can repair from", () => {
    expect(readToolCall(call("workflow_run", '{"input":{}}'))).toMatchObject({
      kind: "invalid",
      problem: expect.stringMatching(/^workflow: /),
    });
    expect(readToolCall(call("history", '{"limit": 500}'))).toMatchObject({
      kind: "invalid",
      problem: expect.stringMatching(/^limit: /),
    });
    expect(readToolCall(call("status", '{"type": "status",'))).toMatchObject({
      kind: "invalid",
      problem: expect.stringMatching(/not valid JSON/),
    });
    expect(readToolCall(call("drop_tables", "{}"))).toEqual({
      kind: "invalid",
      problem: "there is no tool called drop_tables",
    });
    expect(readToolCall(call("status", "[1,2]"))).toMatchObject({
      kind: "invalid",
      problem: expect.stringMatching(/JSON object/),
    });
  });

  it("never lets the arguments change the command type", () => {
    expect(readToolCall(call("status", '{"type":"execution.cancel","execution":"ex_1"}'))).toEqual({
      kind: "command",
      command: { type: "status" },
    });
  });

  it("reads a clarifying question", () => {
    expect(readToolCall(call(CLARIFY_TOOL, '{"question":" Which workflow? "}'))).toEqual({
      kind: "clarify",
      question: "Which workflow?",
    });
    expect(readToolCall(call(CLARIFY_TOOL, '{"question":""}')).kind).toBe("invalid");
  });
});
