import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { chatRequest, RecordingConversation, startTestApp } from "../support/app.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";

let server: Server;
let base: string;
let testDb: TestDatabase;
let app: App;

beforeAll(async () => {
  server = createServer((request, response) => {
    response.statusCode = request.url === "/down" ? 503 : 200;
    response.end(request.url === "/down" ? "maintenance" : "ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  testDb = sqliteDatabase();
  app = await startTestApp({ url: testDb.url });
});

afterAll(async () => {
  await app.close();
  await testDb.drop();
  await new Promise((resolve) => server.close(resolve));
});

it("the shipped healthcheck workflow reports each URL's status", async () => {
  // A port nobody listens on: bind one, note it, close it.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const refused = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
  await new Promise((resolve) => closed.close(resolve));

  const urls = [`${base}/health`, `${base}/down`, refused].join(",");
  const outcome = await app.dispatcher.dispatch(
    chatRequest(`/orchestrate run healthcheck urls=${urls}`),
    new RecordingConversation(),
  );
  const { reply, result } = await outcome.settled;
  expect(result).toMatchObject({ type: "workflow.run", execution: { status: "succeeded" } });
  expect(reply.text).toContain("1 up, 2 down");
  const report = reply.blocks.find((b) => b.type === "code");
  expect(report?.type === "code" && report.text).toMatch(new RegExp(`✅ ${base}/health — 200`));
  expect(report?.type === "code" && report.text).toMatch(new RegExp(`❌ ${base}/down — 503`));
  expect(report?.type === "code" && report.text).toMatch(/❌ http:\/\/127\.0\.0\.1:\d+\/ — connection refused/);
});
