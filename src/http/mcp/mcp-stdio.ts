import { parseArgs } from "node:util";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { CliIo } from "../../cli.js";
import type { Config } from "../../config.js";
import type { Logger } from "../../logger.js";
import type { Caller } from "../api-requests.js";
import { createMcpServer } from "./mcp-server.js";

/**
 * `baton mcp [--user NAME]`: baton's MCP server over stdio for a local agent, acting as the
 * installation's owner (an admin), or with --user as that console person. stdout carries the
 * protocol only (the logger writes to stderr); it stops when stdin ends or on a stop signal.
 * @see https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#stdio
 */
export async function mcpCommand(args: string[], config: Config, logger: Logger, io: CliIo): Promise<number> {
  const caller = callerOf(args, config);
  if (typeof caller === "string") {
    io.stderr.write(`${caller}\nUsage: baton mcp [--user NAME]\n`);
    return 2;
  }
  const { createApp } = await import("../../app.js");
  // Like `baton say`, it does not adopt runs other processes left behind; `baton start` does.
  const app = await createApp(config, logger, { frontEnds: ["mcp"], resume: false });
  const server = createMcpServer(app, caller);
  const ended = new Promise<void>((resolve) => {
    const release = onEnd(io, () => {
      release();
      resolve();
    });
    server.onclose = resolve;
  });
  try {
    await server.connect(new StdioServerTransport(io.stdin, io.stdout));
    logger.info("mcp server on stdio", { actor: caller.actor.id, owner: caller.actor.owner === true });
    await ended;
  } finally {
    await server.close().catch(() => {});
    await app.close({ graceMs: config.shutdownGraceMs });
  }
  return 0;
}

/** The owner, or --user's console person; a sentence when the arguments are wrong. */
function callerOf(args: string[], config: Config): Caller | string {
  try {
    const { values } = parseArgs({ args, options: { user: { type: "string" } }, strict: true });
    const user = values.user ?? config.consoleUser;
    const owner = values.user === undefined;
    return { actor: { id: user, name: user, platform: "console", ...(owner && { owner }) }, tokenId: null };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Calls `stop` once stdin ends or closes, or on SIGINT, SIGTERM or SIGHUP; returns the release. */
function onEnd(io: CliIo, stop: () => void): () => void {
  io.stdin.once("end", stop).once("close", stop);
  process.once("SIGINT", stop).once("SIGTERM", stop).once("SIGHUP", stop);
  return () => {
    io.stdin.off("end", stop).off("close", stop);
    process.off("SIGINT", stop).off("SIGTERM", stop).off("SIGHUP", stop);
  };
}
