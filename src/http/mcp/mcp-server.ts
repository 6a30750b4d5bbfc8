import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { packageVersion } from "../../version.js";
import type { Caller } from "../api-requests.js";
import { callTool } from "./mcp-call.js";
import { MCP_PLATFORM, type McpDeps, type McpSession } from "./mcp-context.js";
import { listResources, RESOURCE_TEMPLATES, readResource } from "./mcp-resources.js";
import { toolsFor } from "./mcp-tools.js";

const INSTRUCTIONS =
  "baton runs chat-ops commands as the person this connection acts as, with their roles: one tool per command they may run. " +
  "Destructive tools ask for confirmation first. Workflows and executions are resources (baton://workflows/{name}, baton://executions/{id}).";

/**
 * baton's MCP server for one caller (a token's person, or the owner over stdio): tools generated
 * from the command table, resources for workflows and executions. Everything runs through the
 * dispatcher, like chat. The low-level `Server` (not `McpServer`) because the tools, their JSON
 * Schemas and their validation come from the command table rather than being registered by hand.
 */
export function createMcpServer(deps: McpDeps, caller: Caller): Server {
  const server = new Server(
    { name: "baton", version: packageVersion() },
    { capabilities: { tools: { listChanged: false }, resources: { listChanged: false } }, instructions: INSTRUCTIONS },
  );
  const session: McpSession = { deps, caller, server };
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    // Asked each time: grants change while a session is open.
    const { permitted } = await deps.dispatcher.runnableHere(caller.actor, MCP_PLATFORM);
    return { tools: toolsFor(permitted) };
  });
  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    callTool(session, request.params, extra.requestId),
  );
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => RESOURCE_TEMPLATES);
  server.setRequestHandler(ListResourcesRequestSchema, () => listResources(session));
  server.setRequestHandler(ReadResourceRequestSchema, (request) => readResource(session, request.params.uri));
  server.onerror = (error) => deps.logger.warn("mcp protocol error", { error });
  return server;
}
