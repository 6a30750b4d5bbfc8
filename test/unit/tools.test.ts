import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { systemClock } from "../../src/clock.js";
import { BatonError } from "../../src/errors.js";
import { parseAllowList } from "../../src/orchestrator/tools/egress/allow-list.js";
import { createBuiltinTools, runTool, ToolRegistry } from "../../src/orchestrator/tools/registry.js";
import type { Tool } from "../../src/orchestrator/tools/types.js";
import { FakeClock } from "../support/fake-clock.js";

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

const routes: Record<string, Handler> = {
  "/json": (_request, _body, response) => sendJson(response, 200, { hello: "world", n: 1 }),
  "/text": (_request, _body, response) => response.writeHead(200, { "content-type": "text/plain" }).end("plain"),
  "/big": (_request, _body, response) =>
    response.writeHead(200, { "content-type": "text/plain" }).end("x".repeat(100_000)),
  "/echo": (request, body, response) =>
    sendJson(response, 200, { method: request.method, contentType: request.headers["content-type"] ?? null, body }),
  "/slow": () => {
    // Never answers; the client's timeout or abort has to end the request.
  },
};

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(value));
}

function handle(request: IncomingMessage, response: ServerResponse): void {
  fetchedUrls.push(`${base}${request.url ?? ""}`);
  let body = "";
  request.on("data", (chunk: Buffer) => {
    body += chunk.toString("utf8");
  });
  request.on("end", () => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const status = /^\/status\/(\d{3})$/.exec(url.pathname)?.[1];
    if (status !== undefined) return void response.writeHead(Number(status)).end(`status ${status}`);
    const route = routes[url.pathname];
    if (route === undefined) return void response.writeHead(404).end("no such route");
    route(request, body, response);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port that was just free: nothing listens there, so connecting is refused. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

let server: Server;
let base: string;
let refused: string;
const fetchedUrls: string[] = [];
// The local test server is on loopback, which the egress policy refuses unless an admin allows it.
const tools = createBuiltinTools({ egress: { allow: parseAllowList("127.0.0.1").entries } });
const never = new AbortController().signal;
/** The http tools talk to a real local server, so their step timeouts run on real time. */
const clock = systemClock;

function tool(name: string): Tool {
  const found = tools.get(name);
  if (found === undefined) throw new Error(`no tool ${name}`);
  return found;
}

async function failure(promise: Promise<unknown>): Promise<BatonError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BatonError) return error;
    throw error;
  }
  throw new Error("expected a BatonError");
}

beforeAll(async () => {
  server = createServer(handle);
  base = await listen(server);
  refused = await closedPortUrl();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("ToolRegistry", () => {
  it("holds the four built-in tools and refuses duplicates", () => {
    expect(tools.names()).toEqual(["http.get", "http.post", "template", "wait"]);
    expect(tools.has("template")).toBe(true);
    expect(tools.get("nope")).toBeUndefined();
    expect(tool("http.post").idempotent).toBe(false);
    expect(tool("http.get").idempotent).toBe(true);
    expect(() => new ToolRegistry().register(tool("wait")).register(tool("wait"))).toThrow(BatonError);
  });
});

describe("http.get", () => {
  it("parses a JSON body and reports status and timing", async () => {
    const output = await runTool(tool("http.get"), { url: `${base}/json` }, { signal: never, clock });
    expect(output).toMatchObject({
      url: `${base}/json`,
      status: 200,
      ok: true,
      contentType: "application/json; charset=utf-8",
      body: { hello: "world", n: 1 },
    });
    expect(output).toHaveProperty("durationMs", expect.any(Number));
    expect(fetchedUrls).toContain(`${base}/json`);
  });

  it("returns text bodies as text and truncates large ones", async () => {
    expect(await runTool(tool("http.get"), { url: `${base}/text` }, { signal: never, clock })).toMatchObject({
      body: "plain",
    });
    const big = await runTool(tool("http.get"), { url: `${base}/big` }, { signal: never, clock });
    expect(big).toMatchObject({ status: 200, truncated: true });
    expect((big as { body: string }).body).toHaveLength(64 * 1024);
  });

  it("reports a non-2xx status without throwing unless failOnStatus is set", async () => {
    expect(await runTool(tool("http.get"), { url: `${base}/status/404` }, { signal: never, clock })).toMatchObject({
      status: 404,
      ok: false,
      body: "status 404",
    });
    const notFound = await failure(
      runTool(tool("http.get"), { url: `${base}/status/404`, failOnStatus: true }, { signal: never, clock }),
    );
    expect([notFound.code, notFound.retryable, notFound.message]).toEqual([
      "http_error",
      false,
      `GET ${base}/status/404 returned 404 Not Found.`,
    ]);
    const unavailable = await failure(
      runTool(tool("http.get"), { url: `${base}/status/503`, failOnStatus: "true" }, { signal: never, clock }),
    );
    expect([unavailable.code, unavailable.retryable]).toEqual(["http_error", true]);
  });

  it("turns a refused connection into a retryable http_error naming the URL", async () => {
    const error = await failure(runTool(tool("http.get"), { url: `${refused}/x` }, { signal: never, clock }));
    expect([error.code, error.retryable, error.message]).toEqual([
      "http_error",
      true,
      `GET ${refused}/x failed: connection refused.`,
    ]);
  });

  it("turns its own request timeout into a retryable http_error", async () => {
    const error = await failure(
      runTool(tool("http.get"), { url: `${base}/slow`, timeoutMs: "50" }, { signal: never, clock }),
    );
    expect([error.code, error.retryable, error.message]).toEqual([
      "http_error",
      true,
      `GET ${base}/slow timed out after 50 ms.`,
    ]);
  });

  it("times out a DNS lookup that never answers, like any other slow request", async () => {
    const stuck = createBuiltinTools({ egress: { resolver: () => new Promise(() => undefined) } });
    const get = stuck.get("http.get");
    if (get === undefined) throw new Error("no http.get");
    const error = await failure(runTool(get, { url: "http://dns.example/", timeoutMs: 50 }, { signal: never, clock }));
    expect(error.message).toBe("GET http://dns.example/ timed out after 50 ms.");
  });

  it("checks a list of URLs without throwing for those that are down", async () => {
    const urls = `${base}/json, ${base}/status/500\n${refused}/health`;
    const output = await runTool(tool("http.get"), { urls }, { signal: never, clock });
    expect(output).toMatchObject({
      ok: false,
      up: 1,
      down: 2,
      results: [
        { url: `${base}/json`, status: 200, ok: true },
        { url: `${base}/status/500`, status: 500, ok: false },
        { url: `${refused}/health`, status: null, ok: false, error: "connection refused" },
      ],
    });
    const lines = (output as { summary: string }).summary.split("\n");
    expect(lines[0]).toMatch(new RegExp(`^✅ ${base}/json — 200 OK \\(\\d+ ms\\)$`));
    expect(lines[1]).toMatch(new RegExp(`^❌ ${base}/status/500 — 500 Internal Server Error \\(\\d+ ms\\)$`));
    expect(lines[2]).toBe(`❌ ${refused}/health — connection refused`);
  });

  it("accepts a list for urls and reports all up", async () => {
    const output = await runTool(
      tool("http.get"),
      { urls: [`${base}/json`, `${base}/text`] },
      { signal: never, clock },
    );
    expect(output).toMatchObject({ ok: true, up: 2, down: 0 });
  });

  it("rejects bad arguments with a sentence naming the field", async () => {
    const ftp = await failure(runTool(tool("http.get"), { url: "ftp://example.com" }, { signal: never, clock }));
    expect([ftp.code, ftp.message]).toEqual([
      "step_failed",
      "The argument `url` for `http.get` is invalid: `ftp://example.com` is not an http:// or https:// URL.",
    ]);
    const both = await failure(
      runTool(tool("http.get"), { url: `${base}/json`, urls: `${base}/json` }, { signal: never, clock }),
    );
    expect(both.message).toBe("The arguments for `http.get` are invalid: give either `url` or `urls` (not both).");
    const listed = await failure(runTool(tool("http.get"), { urls: `${base}/json, nope` }, { signal: never, clock }));
    expect(listed.message).toBe(
      "The argument `urls.1` for `http.get` is invalid: `nope` is not an http:// or https:// URL.",
    );
    const extra = await failure(
      runTool(tool("http.get"), { url: `${base}/json`, method: "DELETE" }, { signal: never, clock }),
    );
    expect(extra.message).toBe("The argument `method` for `http.get` is invalid: is not a known argument.");
  });
});

describe("http.post", () => {
  it("sends an object as JSON", async () => {
    const output = await runTool(
      tool("http.post"),
      { url: `${base}/echo`, body: { a: [1, "b"] } },
      { signal: never, clock },
    );
    expect(output).toMatchObject({
      status: 200,
      body: { method: "POST", contentType: "application/json", body: '{"a":[1,"b"]}' },
    });
  });

  it("sends a string as text and keeps an explicit content-type", async () => {
    const text = await runTool(tool("http.post"), { url: `${base}/echo`, body: "hi" }, { signal: never, clock });
    expect(text).toMatchObject({ body: { contentType: "text/plain;charset=UTF-8", body: "hi" } });
    const custom = await runTool(
      tool("http.post"),
      { url: `${base}/echo`, body: { a: 1 }, headers: { "Content-Type": "application/vnd.api+json" } },
      { signal: never, clock },
    );
    expect(custom).toMatchObject({ body: { contentType: "application/vnd.api+json", body: '{"a":1}' } });
  });
});

describe("runTool", () => {
  it("turns the step timeout into step_timeout", async () => {
    const error = await failure(
      runTool(tool("http.get"), { url: `${base}/slow` }, { signal: never, clock, timeoutMs: 100 }),
    );
    expect([error.code, error.message]).toEqual(["step_timeout", "Step timed out after 100 ms."]);
  });

  it("turns an abort of the caller's signal into cancelled", async () => {
    const controller = new AbortController();
    const running = runTool(
      tool("http.get"),
      { url: `${base}/slow` },
      { signal: controller.signal, clock, timeoutMs: 10_000 },
    );
    setTimeout(() => controller.abort(), 50);
    expect((await failure(running)).code).toBe("cancelled");
    expect((await failure(runTool(tool("template"), { text: "x" }, { signal: controller.signal, clock }))).code).toBe(
      "cancelled",
    );
  });

  it("times out a tool that ignores its signal, on the injected clock", async () => {
    const stubborn: Tool = {
      name: "stubborn",
      description: "never finishes",
      idempotent: true,
      args: z.unknown(),
      run: () => new Promise(() => {}),
    };
    const fake = new FakeClock();
    const running = failure(runTool(stubborn, {}, { signal: never, clock: fake, timeoutMs: 20 }));
    fake.advance(20);
    expect((await running).code).toBe("step_timeout");
    expect(fake.waiting).toBe(0);
  });

  it("turns a plain error thrown by a tool into a retryable tool_error", async () => {
    const broken: Tool = {
      name: "broken",
      description: "throws",
      idempotent: true,
      args: z.unknown(),
      run: async () => {
        throw new Error("boom");
      },
    };
    const error = await failure(runTool(broken, {}, { signal: never, clock }));
    expect([error.code, error.message, error.retryable]).toEqual(["tool_error", "broken failed: boom", true]);
  });
});

describe("template and wait", () => {
  it("template returns its text", async () => {
    expect(await runTool(tool("template"), { text: "Hello, Ada! 👋" }, { signal: never, clock })).toEqual({
      text: "Hello, Ada! 👋",
    });
    expect((await failure(runTool(tool("template"), {}, { signal: never, clock }))).message).toBe(
      "The argument `text` for `template` is invalid: is required.",
    );
  });

  it("wait sleeps on the clock it is given and accepts seconds as text", async () => {
    const fake = new FakeClock();
    const waited = runTool(tool("wait"), { seconds: "90" }, { signal: never, clock: fake });
    fake.advance(89_999);
    await Promise.resolve();
    expect(fake.waiting).toBe(1);
    fake.advance(1);
    expect(await waited).toEqual({ waitedMs: 90_000 });
    expect(fake.sleeps).toEqual([90_000]);
    expect(await runTool(tool("wait"), { ms: 0 }, { signal: never, clock })).toEqual({ waitedMs: 0 });
  });

  it("wait needs exactly one of ms and seconds, at most an hour", async () => {
    for (const args of [{}, { ms: 1, seconds: 1 }, { seconds: 3601 }]) {
      expect((await failure(runTool(tool("wait"), args, { signal: never, clock }))).code).toBe("step_failed");
    }
  });

  it("wait stops promptly when cancelled", async () => {
    const controller = new AbortController();
    const fake = new FakeClock();
    const waiting = runTool(tool("wait"), { seconds: 3600 }, { signal: controller.signal, clock: fake });
    controller.abort();
    expect((await failure(waiting)).code).toBe("cancelled");
    expect(fake.waiting).toBe(0);
  });
});
