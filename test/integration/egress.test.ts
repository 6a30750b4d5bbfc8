import { copyFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import type { ResolvedAddress, Resolver } from "../../src/orchestrator/tools/egress/egress-policy.js";
import { chatRequest, RecordingConversation, startTestApp } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { WORKFLOWS_DIR } from "../support/cli.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";

/**
 * The egress policy through the real path: chat → dispatcher → workflow engine → http.get → a
 * socket. Two local servers share one port: "internal" on 127.0.0.1 (what an attacker wants to
 * reach) and "public" on 127.0.0.2, which plays the internet (BATON_HTTP_ALLOW=127.0.0.2 opens it,
 * as no test may depend on a real public address). A resolver seam plays DNS.
 */

interface Recorded {
  url: string;
  host: string;
  method?: string;
  cookie?: string;
  authorization?: string;
}

class RecordingServer {
  readonly requests: Recorded[] = [];
  private readonly server: Server;

  constructor(routes: (request: IncomingMessage, response: ServerResponse) => void) {
    this.server = createServer((request, response) => {
      const { method, headers } = request;
      this.requests.push({
        url: request.url ?? "",
        host: headers.host ?? "",
        ...(method !== undefined && method !== "GET" && { method }),
        ...(headers.cookie !== undefined && { cookie: headers.cookie }),
        ...(headers.authorization !== undefined && { authorization: headers.authorization }),
      });
      routes(request, response);
    });
  }

  async listen(host: string, port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** DNS as the test scripts it: each name answers its list of responses in turn, the last one forever. */
function scriptedDns(script: Record<string, string[][]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolver = async (hostname: string): Promise<ResolvedAddress[]> => {
    const answers = script[hostname] ?? [];
    const answer = answers[Math.min(asked.filter((name) => name === hostname).length, answers.length - 1)] ?? [];
    asked.push(hostname);
    return answer.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return Object.assign(resolver, { asked });
}

let port: number;
let internal: RecordingServer;
/** A TLS listener on 127.0.0.2 that only records the SNI name of each handshake (it has no certificate). */
let tls: TlsServer;
let tlsPort: number;
const sniNames: string[] = [];
let outside: RecordingServer;
/** How many bytes /huge managed to hand to the socket, and whether its response finished. */
const huge = { finished: false, closed: false };

function workflows(): string {
  const dir = tempDir("egress");
  copyFileSync(join(WORKFLOWS_DIR, "healthcheck.yaml"), join(dir, "healthcheck.yaml"));
  const fetchOne = [
    "name: fetch",
    "description: GETs one URL.",
    "inputs:",
    "  url: { description: The URL, required: true }",
    "steps:",
    "  - id: get",
    "    tool: http.get",
    '    with: { url: "{{ input.url }}", timeoutMs: 10000 }',
    "",
  ];
  writeFileSync(join(dir, "fetch.yaml"), fetchOne.join("\n"));
  const postOne = [
    "name: post",
    "description: POSTs to one URL with a session cookie.",
    "inputs:",
    "  url: { description: The URL, required: true }",
    "steps:",
    "  - id: post",
    "    tool: http.post",
    '    with: { url: "{{ input.url }}", body: "hello", headers: { cookie: "{{ secrets.SESSION }}" } }',
    "",
  ];
  writeFileSync(join(dir, "post.yaml"), postOne.join("\n"));
  // A URL with credentials is a secret: it comes from the secret store, never from chat.
  const fetchPrivate = [
    "name: fetch-private",
    "description: GETs the URL kept as the PRIVATE_URL secret.",
    "steps:",
    "  - id: get",
    "    tool: http.get",
    '    with: { url: "{{ secrets.PRIVATE_URL }}", timeoutMs: 10000 }',
    "",
  ];
  writeFileSync(join(dir, "fetch-private.yaml"), fetchPrivate.join("\n"));
  return dir;
}

function streamHuge(response: ServerResponse): void {
  const chunk = Buffer.alloc(64 * 1024, 120);
  let left = 1024; // 64 MiB if nobody stops it
  response.on("close", () => {
    huge.closed = true;
    huge.finished = response.writableFinished;
  });
  response.writeHead(200, { "content-type": "text/plain" });
  const pump = () => {
    while (left > 0) {
      left -= 1;
      if (!response.write(chunk)) return void response.once("drain", pump);
    }
    response.end();
  };
  pump();
}

beforeAll(async () => {
  internal = new RecordingServer((_request, response) => response.end("internal secrets"));
  port = await internal.listen("127.0.0.1");
  outside = new RecordingServer((request, response) => {
    const redirects: Record<string, string> = {
      "/to-internal": `http://127.0.0.1:${port}/admin`,
      "/to-internal-by-name": `http://status.example.com:${port}/admin`,
      "/to-metadata": "http://169.254.169.254/latest/meta-data/",
      "/hop": "/landing",
      "/loop": "/loop",
      "/same-origin": "/landing",
      "/cross-origin": `http://public.example:${port}/landing`,
    };
    const location = redirects[request.url ?? ""];
    if (location !== undefined) return void response.writeHead(302, { location }).end();
    if (request.url === "/submit") return void response.writeHead(303, { location: "/landing" }).end();
    if (request.url === "/huge") return streamHuge(response);
    response.writeHead(200, { "content-type": "text/plain" }).end(`public page ${request.url}`);
  });
  await outside.listen("127.0.0.2", port);
  tls = createTlsServer({
    SNICallback: (servername, callback) => {
      sniNames.push(servername);
      callback(new Error("no certificate here"));
    },
  });
  tls.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve) => tls.listen(0, "127.0.0.2", resolve));
  tlsPort = (tls.address() as AddressInfo).port;
});

afterAll(async () => {
  await internal.close();
  await outside.close();
  await new Promise((resolve) => tls.close(resolve));
});

describe("the egress policy on the workflow path", () => {
  let testDb: TestDatabase;
  let app: App | null = null;

  afterEach(async () => {
    await app?.close();
    app = null;
    await testDb.drop();
    internal.requests.length = 0;
    outside.requests.length = 0;
  });

  async function start(env: Record<string, string>, resolver?: Resolver): Promise<App> {
    testDb = sqliteDatabase();
    app = await startTestApp({
      url: testDb.url,
      workflowsDir: workflows(),
      env,
      ...(resolver && { resolver }),
    });
    return app;
  }

  async function run(started: App, text: string) {
    const outcome = await started.dispatcher.dispatch(chatRequest(text), new RecordingConversation(false));
    const { result } = await outcome.settled;
    const id = result?.type === "workflow.run" ? result.execution.id : "";
    const execution = await started.followUps.waitUntilSettled(id);
    const attempts = await new ExecutionRepository(started.database).attempts(id);
    return { execution, attempts, first: attempts[0] };
  }

  it("refuses a public-looking name that resolves to 127.0.0.1, without connecting", async () => {
    const dns = scriptedDns({ "status.example.com": [["127.0.0.1"]] });
    const started = await start({}, dns);
    const { execution, first } = await run(started, `/orchestrate run fetch url=http://status.example.com:${port}/`);
    expect(execution?.status).toBe("failed");
    expect(first).toMatchObject({ status: "failed", errorCode: "denied" });
    expect(first?.errorMessage).toBe(
      `baton does not fetch http://status.example.com:${port}/ — status.example.com resolves to 127.0.0.1, a loopback address; an admin can allow it with BATON_HTTP_ALLOW=status.example.com:${port}.`,
    );
    expect(internal.requests).toEqual([]);
  });

  it("connects to the address it checked, so a rebinding resolver cannot switch the connection", async () => {
    // First answer: the "public" address; every later answer: loopback.
    const dns = scriptedDns({ "rebind.example": [["127.0.0.2"], ["127.0.0.1"]] });
    const started = await start({ BATON_HTTP_ALLOW: "127.0.0.2" }, dns);
    const { execution, first } = await run(started, `/orchestrate run fetch url=http://rebind.example:${port}/page`);
    expect(execution?.status).toBe("succeeded");
    expect(first?.output).toMatchObject({ status: 200, body: "public page /page" });
    expect(outside.requests).toEqual([{ url: "/page", host: `rebind.example:${port}` }]);
    expect(internal.requests).toEqual([]);
    expect(dns.asked).toEqual(["rebind.example"]);

    // The next connection asks again, gets loopback, and is refused before it connects.
    const second = await run(started, `/orchestrate run fetch url=http://rebind.example:${port}/page`);
    expect(second.first?.errorMessage).toContain("rebind.example resolves to 127.0.0.1, a loopback address");
    expect(internal.requests).toEqual([]);
  });

  it("keeps the host name as TLS SNI while it connects to the checked address", async () => {
    const dns = scriptedDns({ "secure.example": [["127.0.0.2"], ["127.0.0.1"]] });
    const started = await start({ BATON_HTTP_ALLOW: "127.0.0.2" }, dns);
    const { first } = await run(started, `/orchestrate run fetch url=https://secure.example:${tlsPort}/`);
    // The handshake reached the listener on 127.0.0.2 under the URL's name, then failed (no certificate).
    expect(sniNames).toEqual(["secure.example"]);
    expect(first).toMatchObject({ status: "failed", errorCode: "http_error" });
    expect(dns.asked).toEqual(["secure.example"]);
  });

  it("checks every redirect hop: a hop to 127.0.0.1 or to the metadata address is refused there", async () => {
    const dns = scriptedDns({ "status.example.com": [["127.0.0.1"]] });
    const started = await start({ BATON_HTTP_ALLOW: "127.0.0.2" }, dns);
    const from = (path: string) => `http://127.0.0.2:${port}${path}`;

    const toInternal = await run(started, `/orchestrate run fetch url=${from("/to-internal")}`);
    expect(toInternal.first?.errorMessage).toBe(
      `baton does not fetch http://127.0.0.1:${port}/admin (redirected from ${from("/to-internal")}) — 127.0.0.1 is a loopback address; an admin can allow it with BATON_HTTP_ALLOW=127.0.0.1:${port}.`,
    );
    const byName = await run(started, `/orchestrate run fetch url=${from("/to-internal-by-name")}`);
    expect(byName.first?.errorMessage).toContain("status.example.com resolves to 127.0.0.1, a loopback address");
    const toMetadata = await run(started, `/orchestrate run fetch url=${from("/to-metadata")}`);
    expect(toMetadata.first?.errorMessage).toBe(
      `baton does not fetch http://169.254.169.254/latest/meta-data/ (redirected from ${from("/to-metadata")}) — 169.254.169.254 is a link-local address (cloud metadata); an admin can allow it with BATON_HTTP_ALLOW=169.254.169.254:80.`,
    );
    expect(internal.requests).toEqual([]);
    expect(outside.requests.map((r) => r.url)).toEqual(["/to-internal", "/to-internal-by-name", "/to-metadata"]);
  });

  it("follows allowed redirects itself, at most five of them", async () => {
    const started = await start(
      { BATON_HTTP_ALLOW: "127.0.0.2", BATON_SECRET_PRIVATE_URL: `http://ada:p%40ss@127.0.0.2:${port}/cross-origin` },
      scriptedDns({ "public.example": [["127.0.0.2"]] }),
    );
    const hop = await run(started, `/orchestrate run fetch url=http://127.0.0.2:${port}/hop`);
    expect(hop.first?.output).toMatchObject({ status: 200, body: "public page /landing" });
    const loop = await run(started, `/orchestrate run fetch url=http://127.0.0.2:${port}/loop`);
    expect(loop.first?.errorMessage).toBe(`http://127.0.0.2:${port}/loop redirected more than 5 times.`);
    expect(outside.requests.filter((r) => r.url === "/loop")).toHaveLength(6);
    // Credentials in the URL go as Basic auth to that URL only, not to where it redirects.
    await run(started, "/orchestrate run fetch-private");
    expect(outside.requests.slice(-2)).toEqual([
      { url: "/cross-origin", host: `127.0.0.2:${port}`, authorization: `Basic ${btoa("ada:p@ss")}` },
      { url: "/landing", host: `public.example:${port}` },
    ]);
  });

  it("turns a POST into a GET on 303, and keeps the cookie only on the same origin", async () => {
    const dns = scriptedDns({ "public.example": [["127.0.0.2"]] });
    const started = await start({ BATON_HTTP_ALLOW: "127.0.0.2", BATON_SECRET_SESSION: "session=abc" }, dns);
    await run(started, `/orchestrate run post url=http://127.0.0.2:${port}/submit`);
    await run(started, `/orchestrate run post url=http://127.0.0.2:${port}/same-origin`);
    await run(started, `/orchestrate run post url=http://127.0.0.2:${port}/cross-origin`);
    const host = `127.0.0.2:${port}`;
    expect(outside.requests).toEqual([
      { url: "/submit", host, method: "POST", cookie: "session=abc" },
      { url: "/landing", host, cookie: "session=abc" },
      { url: "/same-origin", host, method: "POST", cookie: "session=abc" },
      { url: "/landing", host, cookie: "session=abc" },
      { url: "/cross-origin", host, method: "POST", cookie: "session=abc" },
      { url: "/landing", host: `public.example:${port}` },
    ]);
  });

  it("fetches an internal host an admin allowed by name, with its name in the Host header", async () => {
    const dns = scriptedDns({ "status.internal": [["127.0.0.1"]] });
    const started = await start({ BATON_HTTP_ALLOW: `status.internal:${port}` }, dns);
    const { first } = await run(started, `/orchestrate run fetch url=http://status.internal:${port}/health`);
    expect(first?.output).toMatchObject({ status: 200, body: "internal secrets" });
    expect(internal.requests).toEqual([{ url: "/health", host: `status.internal:${port}` }]);
    // The exception is for that port only.
    const other = await run(started, `/orchestrate run fetch url=http://status.internal:${port + 1}/`);
    expect(other.first?.errorMessage).toContain("status.internal resolves to 127.0.0.1, a loopback address");
  });

  it("the healthcheck reports an allowed address up and the refused forms of loopback as refused", async () => {
    const started = await start({ BATON_HTTP_ALLOW: `127.0.0.1:${port}` });
    const urls = [`http://127.0.0.1:${port}/ok`, `http://localhost:${port}/`, `http://127.0.0.1:${port + 1}/`];
    const { attempts } = await run(started, `/orchestrate run healthcheck urls=${urls.join(",")}`);
    const report = attempts.find((a) => a.stepPath === "report")?.output as { text: string };
    expect(report.text).toContain("1 up, 2 down");
    expect(report.text).toContain(
      `❌ http://localhost:${port}/ — baton does not fetch http://localhost:${port}/ — localhost is a loopback name; an admin can allow it with BATON_HTTP_ALLOW=localhost:${port}.`,
    );
    expect(report.text).toContain(
      `127.0.0.1 is a loopback address; an admin can allow it with BATON_HTTP_ALLOW=127.0.0.1:${port + 1}.`,
    );
    expect(internal.requests.map((r) => r.url)).toEqual(["/ok"]);
  });

  it("answers an open port, a closed port and an HTTP port alike: the refusal is no port-scan oracle", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const raw = createServer().on("connection", (socket) => socket.destroy());
    await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve));
    const rawPort = (raw.address() as AddressInfo).port;
    try {
      const started = await start({});
      const ports = [port, closedPort, rawPort];
      const urls = ports.map((p) => `http://127.0.0.1:${p}/`);
      const { attempts } = await run(started, `/orchestrate run healthcheck urls=${urls.join(",")}`);
      const check = attempts.find((a) => a.stepPath === "check")?.output as { results: { error?: string }[] };
      const errors = check.results.map((r, i) => r.error?.replaceAll(String(ports[i]), "PORT"));
      expect(new Set(errors).size).toBe(1);
      expect(errors[0]).toBe(
        "baton does not fetch http://127.0.0.1:PORT/ — 127.0.0.1 is a loopback address; an admin can allow it with BATON_HTTP_ALLOW=127.0.0.1:PORT.",
      );
      expect(internal.requests).toEqual([]);
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
  });

  it("caps requests per run and response bytes while they stream", async () => {
    const started = await start({ BATON_HTTP_ALLOW: "127.0.0.2", BATON_HTTP_MAX_REQUESTS_PER_RUN: "3" });
    const urls = [1, 2, 3, 4, 5].map((n) => `http://127.0.0.2:${port}/page${n}`);
    const { attempts } = await run(started, `/orchestrate run healthcheck urls=${urls.join(",")}`);
    const check = attempts.find((a) => a.stepPath === "check")?.output as { up: number; results: { error?: string }[] };
    expect(check.up).toBe(3);
    expect(check.results.filter((r) => r.error !== undefined).map((r) => r.error)).toEqual([
      `baton sends at most 3 HTTP requests per run (BATON_HTTP_MAX_REQUESTS_PER_RUN), so GET http://127.0.0.2:${port}/page4 was not sent.`,
      `baton sends at most 3 HTTP requests per run (BATON_HTTP_MAX_REQUESTS_PER_RUN), so GET http://127.0.0.2:${port}/page5 was not sent.`,
    ]);
    expect(outside.requests).toHaveLength(3);

    const big = await run(started, `/orchestrate run fetch url=http://127.0.0.2:${port}/huge`);
    expect(big.first?.output).toMatchObject({ status: 200, truncated: true });
    const output = big.first?.output as { body: string } | undefined;
    expect(output?.body).toHaveLength(64 * 1024);
    // baton hung up after 64 KiB: the server never got to finish its 64 MiB.
    await eventually(() => huge.closed, "the huge response closed");
    expect(huge.finished).toBe(false);
  });
});
