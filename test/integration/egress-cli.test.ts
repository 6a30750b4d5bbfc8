import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { silentLogger } from "../../src/logger.js";
import { runCli, WORKFLOWS_DIR } from "../support/cli.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";

/**
 * The break from issue 12, as it was typed: the shipped healthcheck, run from the real CLI, pointed
 * at six spellings of this machine. A server listening on every local address (IPv4 and IPv6)
 * records what reaches it; nothing may.
 */
let server: Server;
let port: number;
const received: string[] = [];
let testDb: TestDatabase;

beforeAll(async () => {
  server = createServer((request, response) => {
    received.push(`${request.headers.host} ${request.url}`);
    response.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "::", resolve));
  port = (server.address() as AddressInfo).port;
  testDb = sqliteDatabase();
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await testDb.drop();
});

it("`run healthcheck` with six spellings of this machine reports each refused by class and sends nothing", async () => {
  const urls = ["localhost", "[::1]", "0.0.0.0", "2130706433", "127.1", "0x7f000001"].map((h) => `http://${h}:${port}`);
  const run = await runCli(["say", `/orchestrate run healthcheck urls=${urls.join(",")}`, "--json"], {
    DATABASE_URL: testDb.url,
    BATON_WORKFLOWS_DIR: WORKFLOWS_DIR,
    BATON_USER: "mallory",
  });
  expect(run.code).toBe(0);
  const printed = JSON.parse(run.stdout) as { result: { execution: { id: string; status: string } } };
  expect(printed.result.execution.status).toBe("waiting");

  const db = await openDatabase({ url: testDb.url, logger: silentLogger });
  const attempts = await new ExecutionRepository(db).attempts(printed.result.execution.id).finally(() => db.close());
  const check = attempts.find((a) => a.stepPath === "check")?.output as {
    up: number;
    down: number;
    results: { url: string; status: number | null; refused?: boolean; error?: string }[];
  };
  const allow = (host: string) => `an admin can allow it with BATON_HTTP_ALLOW=${host}:${port}.`;
  expect(check.up).toBe(0);
  expect(check.results.map(({ url, status, refused, error }) => ({ url, status, refused, error }))).toEqual([
    {
      url: urls[0],
      status: null,
      refused: true,
      error: `baton does not fetch http://localhost:${port}/ — localhost is a loopback name; ${allow("localhost")}`,
    },
    {
      url: urls[1],
      status: null,
      refused: true,
      error: `baton does not fetch http://[::1]:${port}/ — ::1 is a loopback address; ${allow("[::1]")}`,
    },
    {
      url: urls[2],
      status: null,
      refused: true,
      error: `baton does not fetch http://0.0.0.0:${port}/ — 0.0.0.0 is an unspecified (this-network) address; ${allow("0.0.0.0")}`,
    },
    ...urls.slice(3).map((url) => ({
      url,
      status: null,
      refused: true,
      error: `baton does not fetch http://127.0.0.1:${port}/ — 127.0.0.1 is a loopback address; ${allow("127.0.0.1")}`,
    })),
  ]);
  const report = attempts.find((a) => a.stepPath === "report")?.output as { text: string };
  expect(report.text).toContain("Healthcheck: 0 up, 6 down");
  // Refused before any connection: the same answer for an open port as for a closed one.
  expect(received).toEqual([]);
});
