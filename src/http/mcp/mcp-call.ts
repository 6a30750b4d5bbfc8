import type { CallToolResult, RequestId } from "@modelcontextprotocol/sdk/types.js";
import { accessOf, type Command } from "../../commands/commands.js";
import type { ApiAnswer } from "../api-requests.js";
import { askToConfirm } from "./mcp-confirm.js";
import { MCP_PLATFORM, type McpSession, plainJson, runMcpCommand } from "./mcp-context.js";
import { commandOfTool } from "./mcp-tools.js";

export const NOT_CONFIRMED = "Not confirmed, so nothing was changed.";

/**
 * `tools/call`: the arguments validated by the command's own schema, then the command through
 * the dispatcher, as the session's person, with platform `mcp`. A destructive command is
 * confirmed through elicitation first; a client that cannot ask is told where it can run it.
 */
export async function callTool(
  session: McpSession,
  call: { name: string; arguments?: Record<string, unknown> | undefined },
  requestId: RequestId,
): Promise<CallToolResult> {
  const read = commandOfTool(call.name, call.arguments);
  if ("problem" in read) return errorResult(read.problem);
  const { command } = read;
  if (accessOf(command) === "destructive") return await callDestructive(session, command, call.name, requestId);
  return resultOf(await runMcpCommand(session.deps, session.caller, command));
}

async function callDestructive(
  session: McpSession,
  command: Command,
  tool: string,
  requestId: RequestId,
): Promise<CallToolResult> {
  const { deps, caller } = session;
  const { permitted } = await deps.dispatcher.runnableHere(caller.actor, MCP_PLATFORM);
  // Not theirs to run: nobody is asked; the dispatcher refuses it (and audits that).
  if (!permitted.has(command.type)) return resultOf(await runMcpCommand(deps, caller, command));
  const confirmation = await askToConfirm(session.server, command, requestId, deps.logger);
  // Unconfirmed, it still goes through the dispatcher, so the refusal has its audit row.
  const answer = await runMcpCommand(deps, caller, command, confirmation === "confirmed");
  if (confirmation === "confirmed" || answer.ok || answer.problem.code !== "confirmation_required") {
    return resultOf(answer);
  }
  if (confirmation === "declined") return { content: [{ type: "text", text: NOT_CONFIRMED }] };
  return errorResult(
    `${tool} needs confirmation, which this MCP client cannot give; run it from chat or the REST API with confirm: true.`,
  );
}

/** The reply's text for a person, and the `baton say --json` object for a program. */
export function resultOf(answer: ApiAnswer): CallToolResult {
  const structured = answer.body === null ? {} : { structuredContent: plainJson(answer.body) };
  if (answer.ok) return { content: [{ type: "text", text: answer.body.reply.text }], ...structured };
  return { isError: true, content: [{ type: "text", text: answer.problem.detail }], ...structured };
}

function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text }] };
}
