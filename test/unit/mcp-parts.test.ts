import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { COMMAND_TYPES } from "../../src/commands/commands.js";
import { McpSessions } from "../../src/http/mcp/mcp-sessions.js";
import { commandOfTool, toolsFor } from "../../src/http/mcp/mcp-tools.js";
import { silentLogger } from "../../src/logger.js";
import { eventually } from "../support/eventually.js";
import { FakeClock } from "../support/fake-clock.js";

describe("MCP tools from the command table", () => {
  it("names every command type's tool with underscores and leaves `type` out of its schema", () => {
    const tools = toolsFor(new Set(COMMAND_TYPES));
    // Every command but token.create: a token never makes another token.
    expect(tools.map((tool) => tool.name)).toEqual(
      COMMAND_TYPES.filter((type) => type !== "token.create").map((type) => type.replace(/\./g, "_")),
    );
    for (const tool of tools) {
      expect(tool.name, tool.name).toMatch(/^[a-z_]+$/);
      expect(tool.inputSchema.type).toBe("object");
      expect(Object.keys(tool.inputSchema.properties ?? {})).not.toContain("type");
      expect(tool.inputSchema.required ?? []).not.toContain("type");
    }
  });

  it("offers only the permitted types", () => {
    expect(toolsFor(new Set(["status", "execution.cancel"])).map((tool) => tool.name)).toEqual([
      "status",
      "execution_cancel",
    ]);
  });

  it("reads a call as its command, or one sentence naming the wrong argument", () => {
    expect(commandOfTool("workflow_run", { workflow: "hello" })).toEqual({
      command: { type: "workflow.run", workflow: "hello", input: {} },
    });
    const bad = commandOfTool("execution_list", { limit: 1000 });
    expect(bad).toEqual({ problem: expect.stringMatching(/^Argument limit of execution_list: .+\.$/) });
    expect(commandOfTool("rm_rf", {})).toEqual({ problem: expect.stringContaining("no tool called rm_rf") });
  });
});

describe("MCP sessions", () => {
  const session = (id: string) => ({
    id,
    tokenId: 1,
    server: new Server({ name: "test", version: "1" }),
    transport: new StreamableHTTPServerTransport({ sessionIdGenerator: () => id }),
  });

  it("closes a session nobody used for the idle time, and keeps one in use", async () => {
    const clock = new FakeClock("2026-12-04T09:00:00Z");
    const sessions = new McpSessions({ clock, logger: silentLogger, limits: { maxSessions: 10, idleMs: 30 * 60_000 } });
    sessions.add(session("a"));
    sessions.add(session("b"));
    clock.advance(20 * 60_000);
    expect(sessions.get("b")?.id).toBe("b");
    clock.advance(11 * 60_000);
    await eventually(() => sessions.size === 1, "the idle session to close");
    expect(sessions.get("a")).toBeUndefined();
    expect(sessions.get("b")?.id).toBe("b");
    await sessions.closeAll();
    expect(sessions.size).toBe(0);
  });

  it("has room for a new session only below the cap, after dropping idle ones", async () => {
    const clock = new FakeClock("2026-12-04T09:00:00Z");
    const sessions = new McpSessions({ clock, logger: silentLogger, limits: { maxSessions: 1, idleMs: 60 * 60_000 } });
    sessions.add(session("a"));
    expect(await sessions.hasRoom()).toBe(false);
    clock.set("2026-12-04T10:00:00Z");
    expect(await sessions.hasRoom()).toBe(true);
    await sessions.closeAll();
  });
});
