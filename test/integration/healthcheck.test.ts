import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
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
  // The local test server is on loopback: the egress policy refuses it unless an admin allows it.
  app = await startTestApp({ url: testDb.url, env: { BATON_HTTP_ALLOW: "127.0.0.1" } });
});

afterAll(async () => {
  await app.close();
  await testDb.drop();
  await new Promise((resolve) => server.close(resolve));
});

it("the shipped healthcheck workflow reports each URL's status and asks before announcing an outage", async () => {
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
  const { result } = await outcome.settled;
  const id = result?.type === "workflow.run" ? result.execution.id : "";
  expect(result).toMatchObject({ type: "workflow.run", execution: { status: "waiting" } });
  const repo = new ExecutionRepository(app.database);
  const report = (await repo.attempts(id)).find((a) => a.stepPath === "report")?.output as { text: string };
  expect(report.text).toContain("1 up, 2 down");
  expect(report.text).toMatch(new RegExp(`✅ ${base}/health — 200`));
  expect(report.text).toMatch(new RegExp(`❌ ${base}/down — 503`));
  expect(report.text).toMatch(/❌ http:\/\/127\.0\.0\.1:\d+\/ — connection refused/);
  expect((await repo.get(id))?.waitingFor).toMatchObject({
    prompt: "2 of the checked URLs are down. Announce the outage?",
  });

  const approve = await app.dispatcher.dispatch(chatRequest(`/orchestrate approve ${id}`), new RecordingConversation());
  const { reply } = await approve.settled;
  expect((await repo.get(id))?.status).toBe("succeeded");
  expect(reply.text).toContain("🚨 Outage: 2 service(s) down.");
});

it("succeeds at once when everything is up", async () => {
  const outcome = await app.dispatcher.dispatch(
    chatRequest(`/orchestrate run healthcheck urls=${base}/health`),
    new RecordingConversation(),
  );
  const { result, reply } = await outcome.settled;
  expect(result).toMatchObject({ execution: { status: "succeeded" } });
  expect(reply.text).toContain("Healthcheck: 1 up, 0 down");
  const id = result?.type === "workflow.run" ? result.execution.id : "";
  const steps = (await new ExecutionRepository(app.database).attempts(id)).map((a) => [a.stepPath, a.status]);
  expect(steps).toEqual([
    ["check", "succeeded"],
    ["report", "succeeded"],
    ["confirm", "skipped"],
    ["announce", "skipped"],
  ]);
});
