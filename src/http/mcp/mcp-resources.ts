import {
  ErrorCode,
  type ListResourcesResult,
  type ListResourceTemplatesResult,
  McpError,
  type ReadResourceResult,
  type Resource,
} from "@modelcontextprotocol/sdk/types.js";
import { Command, type CommandType } from "../../commands/commands.js";
import type { ApiAnswer } from "../api-requests.js";
import { MCP_PLATFORM, type McpSession, plainJson, runMcpCommand } from "./mcp-context.js";

const JSON_TYPE = "application/json";
/** How many recent executions `resources/list` names. */
const LISTED_EXECUTIONS = 50;
/** The spec's "resource not found" error code. */
const RESOURCE_NOT_FOUND = -32002;

/**
 * Workflows and executions as MCP resources, each read through the dispatcher like any command
 * (`workflow.show`, `execution.show`): policy and audit apply.
 * @see https://modelcontextprotocol.io/specification/2025-06-18/server/resources
 */
export const RESOURCE_TEMPLATES: ListResourceTemplatesResult = {
  resourceTemplates: [
    {
      uriTemplate: "baton://workflows/{name}",
      name: "workflow",
      title: "A workflow",
      description: "A workflow's steps, inputs and versions.",
      mimeType: JSON_TYPE,
    },
    {
      uriTemplate: "baton://executions/{id}",
      name: "execution",
      title: "An execution",
      description: "An execution's steps, timings and outputs.",
      mimeType: JSON_TYPE,
    },
  ],
};

/** The workflows there are and the recent executions, for the commands this person may read. */
export async function listResources(session: McpSession): Promise<ListResourcesResult> {
  const { permitted } = await session.deps.dispatcher.runnableHere(session.caller.actor, MCP_PLATFORM);
  const lists = await Promise.all([
    permitted.has("workflow.show") ? listed(session, { type: "workflow.list" }) : null,
    permitted.has("execution.show") ? listed(session, { type: "execution.list", limit: LISTED_EXECUTIONS }) : null,
  ]);
  return { resources: lists.flatMap((answer) => (answer ? resourcesOf(answer) : [])) };
}

async function listed(session: McpSession, command: Command): Promise<ApiAnswer | null> {
  const answer = await runMcpCommand(session.deps, session.caller, command);
  return answer.ok ? answer : null;
}

function resourcesOf(answer: ApiAnswer): Resource[] {
  const result = answer.body?.result;
  if (result?.type === "workflow.list") {
    return result.workflows.map((workflow) => ({
      uri: `baton://workflows/${encodeURIComponent(workflow.name)}`,
      name: workflow.name,
      ...(workflow.description !== null && { description: workflow.description }),
      mimeType: JSON_TYPE,
    }));
  }
  if (result?.type === "execution.list") {
    return result.executions.map((execution) => ({
      uri: `baton://executions/${encodeURIComponent(execution.id)}`,
      name: execution.id,
      description: `${execution.workflowName} v${execution.workflowVersion}: ${execution.status}`,
      mimeType: JSON_TYPE,
    }));
  }
  return [];
}

const URI = /^baton:\/\/(workflows|executions)\/([^/?#]+)$/;
const SHOW: Record<string, { type: CommandType; key: string }> = {
  workflows: { type: "workflow.show", key: "workflow" },
  executions: { type: "execution.show", key: "execution" },
};

/** `resources/read`: the show command's result, as JSON. */
export async function readResource(session: McpSession, uri: string): Promise<ReadResourceResult> {
  const command = commandOfUri(uri);
  const answer = await runMcpCommand(session.deps, session.caller, command);
  if (!answer.ok) {
    const code = answer.problem.code === "not_found" ? RESOURCE_NOT_FOUND : ErrorCode.InvalidParams;
    throw new McpError(code, answer.problem.detail, { uri });
  }
  return { contents: [{ uri, mimeType: JSON_TYPE, text: JSON.stringify(plainJson(answer.body.result)) }] };
}

function commandOfUri(uri: string): Command {
  const [, kind = "", id = ""] = URI.exec(uri) ?? [];
  const show = SHOW[kind];
  const parsed = show ? Command.safeParse({ type: show.type, [show.key]: safeDecode(id) }) : null;
  if (!parsed?.success) {
    const detail = `There is no resource at ${uri}; baton serves baton://workflows/{name} and baton://executions/{id}.`;
    throw new McpError(RESOURCE_NOT_FOUND, detail, { uri });
  }
  return parsed.data;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return "";
  }
}
