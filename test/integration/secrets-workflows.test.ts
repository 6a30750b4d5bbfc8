import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { chatRequest, RecordingConversation, startTestApp } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { tablesContaining } from "../support/raw-tables.js";

const API_TOKEN = "tok-LiveValue-5521";

/** A local API that echoes the Authorization header it received, the way careless APIs do. */
function echoServer(): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    const authorization = request.headers.authorization ?? "";
    seen.push(authorization);
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ youSent: authorization, note: `token ${authorization.replace("Bearer ", "")}` }));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/whoami`, seen });
    });
  });
}

function workflows(apiUrl: string): string {
  const dir = tempDir("secret-workflows");
  const write = (name: string, lines: string[]) => writeFileSync(join(dir, `${name}.yaml`), [...lines, ""].join("\n"));
  write("whoami", [
    "name: whoami",
    "steps:",
    "  - id: call",
    "    tool: http.get",
    `    with: { url: "${apiUrl}", headers: { authorization: "Bearer {{ secrets.API_TOKEN }}" } }`,
  ]);
  // The secret in the URL of a port nothing listens on: the tool's error quotes the URL.
  write("echoed-error", [
    "name: echoed-error",
    "steps:",
    "  - id: call",
    "    tool: http.get",
    '    with: { url: "http://127.0.0.1:9/hooks/{{ secrets.API_TOKEN }}", timeoutMs: 2000 }',
  ]);
  write("needs-missing", [
    "name: needs-missing",
    "steps:",
    "  - id: call",
    "    tool: http.get",
    `    with: { url: "${apiUrl}", headers: { x-api-key: "{{ secrets.NOT_CONFIGURED }}" } }`,
  ]);
  // A URL with credentials written into the definition: refused when the workflows load.
  write("literal-credentials", [
    "name: literal-credentials",
    "steps:",
    "  - id: call",
    "    tool: http.get",
    '    with: { url: "http://deployer:FileP4ssword@127.0.0.1:9/health" }',
  ]);
  // A URL whose password is assembled at run time (from two harmless-looking inputs): the tool's
  // error quotes the whole URL, which is what step.finished used to keep.
  write("leaky-error", [
    "name: leaky-error",
    "inputs:",
    "  a: { required: true }",
    "  b: { required: true }",
    "steps:",
    "  - id: build",
    "    tool: template",
    '    with: { text: "http://deployer:{{ input.a }}{{ input.b }}@127.0.0.1:9/health" }',
    "  - id: call",
    "    tool: http.get",
    '    with: { url: "{{ steps.build.output.text }}" }',
  ]);
  return dir;
}

describe.each(DATABASE_KINDS)("workflow secrets ($kind)", ({ create }) => {
  let database: TestDatabase;
  let app: App;
  let api: Awaited<ReturnType<typeof echoServer>>;

  beforeAll(async () => {
    api = await echoServer();
    database = await create();
    app = await startTestApp({
      url: database.url,
      workflowsDir: workflows(api.url),
      // The egress policy (issue 12 item 3) refuses loopback unless allowed; the echo API is local.
      env: { BATON_SECRET_API_TOKEN: API_TOKEN, BATON_HTTP_ALLOW: "127.0.0.1" },
    });
  });

  afterEach(async () => {
    await app.eventLog.flush();
  });

  afterAll(async () => {
    await app.close();
    await database.drop();
    await new Promise((resolve) => api.server.close(resolve));
  });

  async function run(text: string) {
    const conversation = new RecordingConversation(true);
    const outcome = await app.dispatcher.dispatch(chatRequest(text), conversation);
    const settled = await outcome.settled;
    const id = outcome.result && "execution" in outcome.result ? outcome.result.execution.id : "";
    const shown = await app.dispatcher.dispatch(
      chatRequest(`/orchestrate show ${id}`),
      new RecordingConversation(true),
    );
    await app.eventLog.flush();
    return { id, settled, conversation, shown: JSON.stringify(shown.reply) };
  }

  it("resolves {{ secrets.API_TOKEN }} only for the tool, stores the template and masks the echoed value", async () => {
    const { id, shown, conversation } = await run("/orchestrate run whoami");
    expect(api.seen.at(-1)).toBe(`Bearer ${API_TOKEN}`);
    const [attempt] = await new ExecutionRepository(app.database).attempts(id);
    expect(attempt).toMatchObject({ status: "succeeded" });
    expect(attempt?.input).toMatchObject({ headers: { authorization: "Bearer {{ secrets.API_TOKEN }}" } });
    expect(attempt?.output).toMatchObject({
      body: { youSent: "Bearer [REDACTED:secret API_TOKEN]", note: "token [REDACTED:secret API_TOKEN]" },
    });
    expect(await tablesContaining(app.database, [API_TOKEN])).toEqual([]);
    expect(shown).not.toContain(API_TOKEN);
    expect(JSON.stringify([...conversation.posts, ...conversation.updates])).not.toContain(API_TOKEN);
  });

  it("masks a resolved secret that a tool's error echoes, before it is stored or shown", async () => {
    const { id, shown } = await run("/orchestrate run echoed-error");
    const execution = await new ExecutionRepository(app.database).get(id);
    expect(execution).toMatchObject({ status: "failed", errorCode: "http_error" });
    expect(execution?.errorMessage).toContain("http://127.0.0.1:9/hooks/[REDACTED:secret API_TOKEN]");
    expect(await tablesContaining(app.database, [API_TOKEN])).toEqual([]);
    expect(shown).not.toContain(API_TOKEN);
  });

  it("fails a step whose secret is not set with one sentence naming it and how to add it", async () => {
    const { id, shown } = await run("/orchestrate run needs-missing");
    const execution = await new ExecutionRepository(app.database).get(id);
    expect(execution).toMatchObject({
      status: "failed",
      errorCode: "secret_missing",
      errorMessage:
        "The secret `NOT_CONFIGURED` is not set; add `BATON_SECRET_NOT_CONFIGURED=…` to baton's environment or `NOT_CONFIGURED: …` to the BATON_SECRETS_FILE, then restart baton.",
    });
    expect(shown).toContain("The secret `NOT_CONFIGURED` is not set");
    expect(api.seen).toHaveLength(1);
  });

  it("keeps a URL's password out of the error everywhere it is stored (step.finished too) and shown", async () => {
    const { id, shown } = await run("/orchestrate run leaky-error a=UrlPass b=w0rdAssembled");
    const execution = await new ExecutionRepository(app.database).get(id);
    expect(execution?.status).toBe("failed");
    expect(execution?.errorMessage).toContain("deployer:[REDACTED:url-credentials]@127.0.0.1");
    const attempts = await new ExecutionRepository(app.database).attempts(id);
    expect(attempts.map((attempt) => attempt.status)).toEqual(["succeeded", "failed"]);
    const events = await app.database.raw.all<{ type: string; payload: unknown }>(
      "SELECT type, payload FROM events WHERE execution_id = ?",
      [id],
    );
    expect(events.map((event) => event.type)).toContain("step.finished");
    expect(await tablesContaining(app.database, ["UrlPassw0rdAssembled"])).toEqual([]);
    expect(shown).not.toContain("UrlPassw0rdAssembled");
    expect(shown).toContain("[REDACTED:url-credentials]");
  });

  it("refuses to load a definition that writes a credential in clear, naming the field", async () => {
    const list = await app.dispatcher.dispatch(chatRequest("/orchestrate workflows"), new RecordingConversation(true));
    const text = JSON.stringify(list.reply);
    expect(text).toContain("literal-credentials.yaml: step `call`, field `with.url`: holds a secret in clear");
    expect(text).not.toContain("FileP4ssword");
    expect(await tablesContaining(app.database, ["FileP4ssword"])).toEqual([]);
  });
});
