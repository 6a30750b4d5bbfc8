import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { Dispatcher } from "../../bot/dispatch.js";
import type { Clock } from "../../clock.js";
import type { Command } from "../../commands/commands.js";
import type { Logger } from "../../logger.js";
import { type ApiAnswer, type Caller, runApiRequest } from "../api-requests.js";

/** What baton's MCP server needs from the rest of baton. */
export interface McpDeps {
  dispatcher: Dispatcher;
  clock: Clock;
  logger: Logger;
}

/** The audit log's platform and the channel policy decisions are about, for every MCP request. */
export const MCP_PLATFORM = "mcp";

/** How to confirm, in a refusal's words (the audit row keeps it). */
const CONFIRM_HOW =
  'an MCP client that supports elicitation asks first; or run it from chat or the REST API with "confirm": true';

/** One command from one MCP caller, through the dispatcher (policy, confirmation, audit). */
export function runMcpCommand(deps: McpDeps, caller: Caller, command: Command, confirm = false): Promise<ApiAnswer> {
  return runApiRequest(deps.dispatcher, deps.clock, {
    platform: MCP_PLATFORM,
    caller,
    command,
    confirm,
    wait: true,
    channel: MCP_PLATFORM,
    confirmHow: CONFIRM_HOW,
  });
}

/** One MCP session: who it acts as, and the server it answers through (for elicitation). */
export interface McpSession {
  deps: McpDeps;
  caller: Caller;
  server: Server;
}

/** Dates as ISO strings, as the REST API sends them. */
export function plainJson(value: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
