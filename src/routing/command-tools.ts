import { z } from "zod";
import { COMMAND_SPECS, Command, type CommandType } from "../commands/commands.js";
import type { LlmToolCall, LlmToolSpec } from "../llm/provider.js";

/**
 * The router's tools, generated from the command zod schemas (DESIGN.md: the LLM router's tool
 * definitions come from these schemas). Tool names may not contain dots, so `workflow.run` is
 * offered as `workflow_run`; one extra tool lets the model ask a clarifying question instead.
 */
export const CLARIFY_TOOL = "ask_clarifying_question";

export function toolName(type: CommandType): string {
  return type.replaceAll(".", "_");
}

type CommandOption = z.ZodObject<{ type: z.ZodLiteral<CommandType> } & z.ZodRawShape>;

const OPTIONS = Command.options as unknown as CommandOption[];
const TYPE_BY_TOOL = new Map<string, CommandType>(
  OPTIONS.map((o) => [toolName(o.shape.type.value), o.shape.type.value]),
);

function inputSchema(option: CommandOption): Record<string, unknown> {
  const generated = z.toJSONSchema(option.omit({ type: true }), { io: "input" }) as Record<string, unknown>;
  const { $schema: _ignored, ...schema } = generated;
  return portable(schema) as Record<string, unknown>;
}

/**
 * The JSON Schema subset every tool-calling API accepts: zod's `propertyNames`, `default` and the
 * ±2^53 integer bounds are dropped (stricter OpenAI-compatible servers answer 400 to them); zod
 * still validates the real limits on the way back.
 */
function portable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(portable);
  if (value === null || typeof value !== "object") return value;
  const kept = Object.entries(value).filter(([key, inner]) => !DROPPED.has(key) && !isUnboundedLimit(key, inner));
  return Object.fromEntries(kept.map(([key, inner]) => [key, portable(inner)]));
}

const DROPPED = new Set(["propertyNames", "default"]);

function isUnboundedLimit(key: string, value: unknown): boolean {
  return (
    (key === "maximum" || key === "minimum") && typeof value === "number" && Math.abs(value) >= Number.MAX_SAFE_INTEGER
  );
}

function commandTool(option: CommandOption): LlmToolSpec {
  const type = option.shape.type.value;
  const spec = COMMAND_SPECS[type];
  return {
    name: toolName(type),
    description: `${spec.summary} (/orchestrate ${spec.usage.replace(/^\/orchestrate /, "")})`,
    inputSchema: inputSchema(option),
  };
}

const CLARIFY: LlmToolSpec = {
  name: CLARIFY_TOOL,
  description:
    "Ask the person one short question when the request is ambiguous or misses something a command needs. Their answer comes back as the next message.",
  inputSchema: {
    type: "object",
    properties: { question: { type: "string", minLength: 1, maxLength: 500 } },
    required: ["question"],
  },
};

/** Built once: the tools are the static, cacheable part of every routing request. */
export const COMMAND_TOOLS: readonly LlmToolSpec[] = [...OPTIONS.map(commandTool), CLARIFY];

/**
 * The tools one asker is offered: only the command types they may run here (README
 * "Permissions"), plus the clarifying question. The full list when nothing narrows it.
 */
export function toolsFor(permitted: ReadonlySet<CommandType> | undefined): LlmToolSpec[] {
  if (permitted === undefined) return [...COMMAND_TOOLS];
  return COMMAND_TOOLS.filter((tool) => {
    const type = TYPE_BY_TOOL.get(tool.name);
    return type === undefined || permitted.has(type);
  });
}

export type ToolCallReading =
  | { kind: "command"; command: Command }
  | { kind: "clarify"; question: string }
  /** What was wrong, in words the model can act on in a repair attempt. */
  | { kind: "invalid"; problem: string };

function parseArguments(call: LlmToolCall): Record<string, unknown> | string {
  try {
    const value: unknown = JSON.parse(call.argumentsJson || "{}");
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
    return `the arguments of ${call.name} must be a JSON object`;
  } catch {
    return `the arguments of ${call.name} are not valid JSON: ${call.argumentsJson.slice(0, 200)}`;
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "arguments"}: ${issue.message}`).join("; ");
}

/** Reads a tool call as a Command (validated by zod), a clarifying question, or a problem. */
export function readToolCall(call: LlmToolCall): ToolCallReading {
  const args = parseArguments(call);
  if (typeof args === "string") return { kind: "invalid", problem: args };
  if (call.name === CLARIFY_TOOL) {
    const question = typeof args.question === "string" ? args.question.trim() : "";
    return question
      ? { kind: "clarify", question }
      : { kind: "invalid", problem: "question must be a non-empty string" };
  }
  const type = TYPE_BY_TOOL.get(call.name);
  if (!type) return { kind: "invalid", problem: `there is no tool called ${call.name}` };
  const parsed = Command.safeParse({ ...args, type });
  return parsed.success
    ? { kind: "command", command: parsed.data }
    : { kind: "invalid", problem: describeIssues(parsed.error) };
}
