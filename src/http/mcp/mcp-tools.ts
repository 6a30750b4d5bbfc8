import type { Tool, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import {
  type Access,
  COMMAND_SPECS,
  COMMAND_TYPES,
  type Command,
  type CommandType,
  isCommandType,
} from "../../commands/commands.js";
import { toolName } from "../../routing/command-tools.js";

/**
 * What a tool's access class tells an MCP client before it calls it (hints, not a guarantee: the
 * dispatcher's policy and confirmation still decide).
 * @see https://modelcontextprotocol.io/specification/2025-06-18/server/tools#tool
 */
const ANNOTATIONS: Record<Access, ToolAnnotations> = {
  read: { readOnlyHint: true, idempotentHint: true, destructiveHint: false },
  change: { readOnlyHint: false, destructiveHint: false },
  destructive: { readOnlyHint: false, destructiveHint: true },
};

type InputSchema = Tool["inputSchema"];

/** The command's zod schema as JSON Schema, without `type` (the tool's name says it). */
function inputSchemaOf(type: CommandType): InputSchema {
  const generated = z.toJSONSchema(COMMAND_SPECS[type].schema, { io: "input", unrepresentable: "any" });
  const { $schema: _ignored, properties = {}, required = [], ...rest } = generated as Record<string, unknown>;
  const { type: _type, ...kept } = properties as Record<string, object>;
  const stillRequired = (required as string[]).filter((name) => name !== "type");
  return {
    ...rest,
    type: "object",
    properties: kept,
    ...(stillRequired.length > 0 && { required: stillRequired }),
  };
}

function toolOf(type: CommandType): Tool {
  const spec = COMMAND_SPECS[type];
  return {
    name: toolName(type),
    title: spec.summary.replace(/\.$/, ""),
    description: `${spec.summary} In chat: /orchestrate ${spec.usage.replace(/^\/orchestrate /, "")}`,
    inputSchema: inputSchemaOf(type),
    annotations: ANNOTATIONS[spec.access],
  };
}

/** Built once, in the command table's order. */
const TOOLS: ReadonlyMap<CommandType, Tool> = new Map(COMMAND_TYPES.map((type) => [type, toolOf(type)]));
const TYPE_BY_TOOL: ReadonlyMap<string, CommandType> = new Map(COMMAND_TYPES.map((type) => [toolName(type), type]));

/** The tools one caller is offered: a tool per command type they may run (`runnableHere`). */
export function toolsFor(permitted: ReadonlySet<CommandType>): Tool[] {
  // A token never makes another token (token-handlers.ts refuses it too).
  return [...TOOLS].filter(([type]) => permitted.has(type) && type !== "token.create").map(([, tool]) => tool);
}

export type ToolArguments = { command: Command } | { problem: string };

/**
 * A tool call as the command it names, validated by that command's own schema; otherwise one
 * sentence naming the first wrong argument.
 */
export function commandOfTool(name: string, args: Record<string, unknown> | undefined): ToolArguments {
  const type = TYPE_BY_TOOL.get(name) ?? (isCommandType(name) ? name : undefined);
  if (type === undefined) return { problem: `There is no tool called ${name}; tools/list shows the ones you may use.` };
  const parsed = COMMAND_SPECS[type].schema.safeParse({ ...args, type });
  if (parsed.success) return { command: parsed.data as Command };
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join(".") ?? "";
  const where = field === "" ? "The arguments" : `Argument ${field}`;
  return { problem: `${where} of ${name}: ${issue?.message ?? "invalid"}.` };
}
