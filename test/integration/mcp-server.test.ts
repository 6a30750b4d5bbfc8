import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type CallToolResult, ElicitRequestSchema, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SELF_TYPES } from "../../src/commands/commands.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { toolName } from "../../src/routing/command-tools.js";
import { startTestApp } from "../support/app.js";
import { BATON_BIN, runCli, WORKFLOWS_DIR } from "../support/cli.js";
import { DATABASE_KINDS, sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { ADA, type HttpTestApp, startHttpApp, VIC } from "../support/http-app.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SELF_TOOLS = new Set([...SELF_TYPES].map((type) => toolName(type)));

/** How a test client answers baton's confirmation questions; null: it cannot be asked at all. */
type Answer = ElicitResult | null;

interface TestClient {
  client: Client;
  transport: StreamableHTTPClientTransport;
  /** The questions baton asked through elicitation. */
  asked: string[];
}

async function connect(base: string, token: string, answer: Answer = null): Promise<TestClient> {
  const asked: string[] = [];
  const client = new Client(
    { name: "baton-test", version: "1.0.0" },
    { capabilities: answer === null ? {} : { elicitation: {} } },
  );
  if (answer !== null) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return answer;
    });
  }
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return { client, transport, asked };
}

function text(result: CallToolResult): string {
  return result.content.map((block) => (block.type === "text" ? block.text : "")).join("");
}

type Structured = { outcome: string; result: Record<string, unknown> & { type: string } };

function structured(result: CallToolResult): Structured {
  return result.structuredContent as Structured;
}

describe.each(DATABASE_KINDS)("the MCP server over streamable HTTP on $kind", ({ create }) => {
  let database: TestDatabase;
  let http: HttpTestApp;
  let adaToken: string;
  let vicToken: string;
  const clients: Client[] = [];

  const open = async (token: string, answer: Answer = null) => {
    const opened = await connect(http.base, token, answer);
    clients.push(opened.client);
    return opened;
  };
  const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  const mcpRows = async () =>
    (await new AuditRepository(http.app.database).recent({ limit: 50 })).filter((row) => row.platform === "mcp");

  beforeEach(async () => {
    database = await create();
    http = await startHttpApp({ url: database.url });
    adaToken = await http.tokenFor(ADA, "ada agent");
    vicToken = await http.tokenFor(VIC);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    await http.close();
    await database.drop();
  });

  it("offers one tool per command the person may run, with the table's annotations", async () => {
    const vic = await open(vicToken);
    const vicTools = (await vic.client.listTools()).tools;
    expect(vicTools.map((tool) => tool.name)).toContain("workflow_list");
    expect(vicTools.map((tool) => tool.name)).not.toContain("workflow_run");
    // A viewer reads; the only changes open to them are their own accounts and tokens (`self` commands).
    const changes = vicTools.filter((tool) => tool.annotations?.readOnlyHint !== true).map((tool) => tool.name);
    expect(changes).toContain("identity_link");
    // A token never makes another token.
    expect(changes).not.toContain("token_create");
    expect(changes.filter((name) => !SELF_TOOLS.has(name))).toEqual([]);
    const ada = await open(adaToken);
    const tools = new Map((await ada.client.listTools()).tools.map((tool) => [tool.name, tool]));
    const run = tools.get("workflow_run");
    expect(run?.annotations).toEqual({ readOnlyHint: false, destructiveHint: false });
    expect(run?.description).toContain("Start a workflow.");
    expect(Object.keys(run?.inputSchema.properties ?? {})).toEqual(["workflow", "input"]);
    expect(run?.inputSchema.required).toEqual(["workflow"]);
    expect(tools.get("schedule_delete")?.annotations).toEqual({ readOnlyHint: false, destructiveHint: true });
    expect(tools.get("status")?.annotations).toEqual({
      readOnlyHint: true,
      idempotentHint: true,
      destructiveHint: false,
    });
  });

  it("runs status and the hello workflow as the token's person, audited with platform mcp", async () => {
    const { client } = await open(adaToken);
    const status = await call(client, "status");
    expect(status.isError).toBeFalsy();
    expect(structured(status).result.type).toBe("status");
    const run = await call(client, "workflow_run", { workflow: "hello", input: { name: "Ada" } });
    expect(run.isError).toBeFalsy();
    const execution = structured(run).result.execution as { id: string; status: string };
    expect(execution.status).toBe("succeeded");
    expect(text(run)).toContain(execution.id);
    const rows = await mcpRows();
    expect(rows.map((row) => [row.actorId, row.commandType, row.outcome])).toEqual([
      ["ada", "workflow.run", "ok"],
      ["ada", "status", "ok"],
    ]);
    expect(rows[0]?.executionId).toBe(execution.id);
  });

  it("answers bad arguments and refused commands as tool errors in one sentence", async () => {
    const { client } = await open(adaToken);
    const bad = await call(client, "workflow_run", { input: { name: "Ada" } });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toMatch(/^Argument workflow of workflow_run: .+\.$/);
    const vic = await open(vicToken);
    const denied = await call(vic.client, "workflow_run", { workflow: "hello", input: { name: "Vic" } });
    expect(denied.isError).toBe(true);
    const rows = await mcpRows();
    expect(rows.map((row) => [row.actorId, row.commandType, row.outcome])).toEqual([["vic", "workflow.run", "denied"]]);
  });

  it("asks before a destructive tool runs: it runs once confirmed, and nothing changes otherwise", async () => {
    const yes = await open(adaToken, { action: "accept", content: { confirm: true } });
    const created = await call(yes.client, "schedule_create", { cron: "0 9 * * *", action: "digest" });
    const schedule = (structured(created).result.schedule as { id: string }).id;
    const mute = await open(adaToken);
    const refused = await call(mute.client, "schedule_delete", { schedule });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain("needs confirmation, which this MCP client cannot give");
    const no = await open(adaToken, { action: "decline" });
    const declined = await call(no.client, "schedule_delete", { schedule });
    expect(text(declined)).toBe("Not confirmed, so nothing was changed.");
    expect(no.asked).toEqual([`Delete schedule ${schedule}? It will not fire again.`]);
    const listed = await call(yes.client, "schedule_list");
    expect(structured(listed).result.schedules).toHaveLength(1);
    const deleted = await call(yes.client, "schedule_delete", { schedule });
    expect(deleted.isError).toBeFalsy();
    expect(yes.asked).toEqual([`Delete schedule ${schedule}? It will not fire again.`]);
    expect(structured(await call(yes.client, "schedule_list")).result.schedules).toEqual([]);
    const deletes = (await mcpRows()).filter((row) => row.commandType === "schedule.delete");
    expect(deletes.map((row) => [row.actorId, row.outcome, row.errorCode])).toEqual([
      ["ada", "ok", null],
      ["ada", "denied", "confirmation_required"],
      ["ada", "denied", "confirmation_required"],
    ]);
  });

  it("serves workflows and executions as resources", async () => {
    const { client } = await open(adaToken);
    const templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toEqual(["baton://workflows/{name}", "baton://executions/{id}"]);
    const run = await call(client, "workflow_run", { workflow: "hello", input: { name: "Ada" } });
    const id = (structured(run).result.execution as { id: string }).id;
    const uris = (await client.listResources()).resources.map((resource) => resource.uri);
    expect(uris).toContain("baton://workflows/hello");
    expect(uris).toContain(`baton://executions/${id}`);
    const workflow = await client.readResource({ uri: "baton://workflows/hello" });
    const content = workflow.contents[0] as { mimeType: string; text: string };
    expect(content.mimeType).toBe("application/json");
    expect(JSON.parse(content.text)).toMatchObject({ type: "workflow.show", workflow: { name: "hello" } });
    const execution = await client.readResource({ uri: `baton://executions/${id}` });
    const detail = JSON.parse((execution.contents[0] as { text: string }).text) as { detail: { execution: object } };
    expect(detail.detail.execution).toMatchObject({ id, status: "succeeded" });
    await expect(client.readResource({ uri: "baton://workflows/nope" })).rejects.toThrow(/nope/);
  });

  it("refuses a request without a token (401), and a session opened with another token (403)", async () => {
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "curl", version: "1" } },
    };
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    const bare = await fetch(`${http.base}/mcp`, { method: "POST", headers, body: JSON.stringify(initialize) });
    expect(bare.status).toBe(401);
    expect(bare.headers.get("content-type")).toBe("application/problem+json");
    expect(bare.headers.get("www-authenticate")).toContain("Bearer");
    const ada = await open(adaToken);
    const session = ada.transport.sessionId ?? "";
    expect(session).not.toBe("");
    const ping = { jsonrpc: "2.0", id: 2, method: "ping" };
    const borrowed = await fetch(`${http.base}/mcp`, {
      method: "POST",
      headers: { ...headers, authorization: `Bearer ${vicToken}`, "mcp-session-id": session },
      body: JSON.stringify(ping),
    });
    expect(borrowed.status).toBe(403);
    expect(((await borrowed.json()) as { code: string }).code).toBe("forbidden");
    await ada.transport.terminateSession();
    const ended = await fetch(`${http.base}/mcp`, {
      method: "POST",
      headers: { ...headers, authorization: `Bearer ${adaToken}`, "mcp-session-id": session },
      body: JSON.stringify(ping),
    });
    expect(ended.status).toBe(404);
  });
});

describe("baton mcp over stdio", () => {
  it("writes only the protocol to stdout and exits when stdin ends", async () => {
    const database = sqliteDatabase();
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "pipe", version: "1" } },
    };
    const env = { DATABASE_URL: database.url, BATON_WORKFLOWS_DIR: WORKFLOWS_DIR, LOG_LEVEL: "info" };
    const run = await runCli(["mcp"], env, `${JSON.stringify(initialize)}\n`);
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n").filter((line) => line !== "");
    expect(lines.map((line) => JSON.parse(line) as { id: number; result: { serverInfo: object } })).toEqual([
      expect.objectContaining({ id: 1, result: expect.objectContaining({ serverInfo: expect.anything() }) }),
    ]);
    expect(run.stderr).toContain("mcp server on stdio");
    const wrong = await runCli(["mcp", "--nope"], env);
    expect(wrong.code).toBe(2);
    await database.drop();
  });

  it("acts as the owner, runs hello, and stops when the client closes stdin", async () => {
    const database = sqliteDatabase();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BATON_BIN, "mcp"],
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        DATABASE_URL: database.url,
        BATON_WORKFLOWS_DIR: WORKFLOWS_DIR,
        BATON_USER: "ada",
        LOG_LEVEL: "silent",
      },
      stderr: "pipe",
    });
    const client = new Client({ name: "baton-test", version: "1.0.0" });
    await client.connect(transport);
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).toContain("schedule_delete");
    const run = (await client.callTool({
      name: "workflow_run",
      arguments: { workflow: "hello", input: { name: "Ada" } },
    })) as CallToolResult;
    expect(structured(run).result.execution).toMatchObject({ status: "succeeded" });
    const resource = await client.readResource({ uri: "baton://workflows/hello" });
    expect((resource.contents[0] as { text: string }).text).toContain('"name":"hello"');
    await client.close();
    const app = await startTestApp({ url: database.url, resume: false });
    try {
      const rows = (await new AuditRepository(app.database).recent({ limit: 10 })).filter((r) => r.platform === "mcp");
      expect(rows.map((row) => [row.actorId, row.commandType, row.outcome])).toEqual([
        ["ada", "workflow.show", "ok"],
        ["ada", "workflow.run", "ok"],
      ]);
    } finally {
      await app.close();
      await database.drop();
    }
  });
});
