import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { tempDir } from "../support/cleanup.js";
import { WORKFLOWS_DIR } from "../support/cli.js";
import { DATABASE_KINDS, sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { ADA, type HttpTestApp, startHttpApp, VIC } from "../support/http-app.js";

/** The shipped workflows and `gate`, which waits for an approval between two steps. */
function withGate(): string {
  const dir = tempDir("api-workflows");
  cpSync(WORKFLOWS_DIR, dir, { recursive: true });
  writeFileSync(
    join(dir, "gate.yaml"),
    [
      "name: gate",
      "steps:",
      "  - id: confirm",
      "    approval: { prompt: Ship it? }",
      "  - id: ship",
      "    tool: template",
      '    with: { text: "shipped" }',
      "",
    ].join("\n"),
  );
  return dir;
}

describe("the REST API's rate limit", () => {
  it("answers 429 with Retry-After once a token has used its minute", async () => {
    const database = sqliteDatabase();
    const http = await startHttpApp({ url: database.url, ratePerMinute: 2 });
    try {
      const token = await http.tokenFor(ADA);
      const get = () => fetch(`${http.base}/api/v1/status`, { headers: { authorization: `Bearer ${token}` } });
      expect((await get()).status).toBe(200);
      expect((await get()).status).toBe(200);
      const limited = await get();
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(await limited.json()).toMatchObject({ code: "rate_limited" });
      // Bad tokens from one address are limited too: guessing costs a minute's allowance.
      const guess = () => fetch(`${http.base}/api/v1/status`, { headers: { authorization: "Bearer baton_guess" } });
      expect((await guess()).status).toBe(401);
      expect((await guess()).status).toBe(401);
      expect((await guess()).status).toBe(429);
    } finally {
      await http.close();
      await database.drop();
    }
  });
});

describe.each(DATABASE_KINDS)("the REST API on $kind", ({ create }) => {
  let database: TestDatabase;
  let http: HttpTestApp;
  let adaToken: string;
  let vicToken: string;

  beforeEach(async () => {
    database = await create();
    http = await startHttpApp({ url: database.url, workflowsDir: withGate() });
    adaToken = await http.tokenFor(ADA, "ada ci");
    vicToken = await http.tokenFor(VIC);
  });

  afterEach(async () => {
    await http.close();
    await database.drop();
  });

  const call = (path: string, init: RequestInit & { token?: string; json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set("authorization", `Bearer ${init.token}`);
    if (init.json !== undefined) headers.set("content-type", "application/json");
    return fetch(`${http.base}${path}`, {
      ...init,
      headers,
      ...(init.json !== undefined && { method: init.method ?? "POST", body: JSON.stringify(init.json) }),
    });
  };

  it("answers /healthz always and /readyz with the database's state", async () => {
    const health = await call("/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
    const ready = await call("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", checks: { database: "ok", migrations: "ok" } });
  });

  it("refuses every endpoint without a valid token, as problem+json", async () => {
    for (const path of ["/api/v1/status", "/api/v1/executions", "/api/v1/audit", "/api/v1/workflows"]) {
      const bare = await call(path);
      expect(bare.status, path).toBe(401);
      expect(bare.headers.get("content-type")).toBe("application/problem+json");
      expect(bare.headers.get("www-authenticate")).toContain("Bearer");
      const forged = await call(path, { token: "baton_not-a-real-token-at-all-but-long-enough-to-look-1234" });
      expect(forged.status, path).toBe(401);
    }
  });

  it("runs text and typed commands as the token's person, audited with platform api", async () => {
    const typed = await call("/api/v1/commands", {
      token: adaToken,
      json: { command: { type: "workflow.run", workflow: "hello", input: { name: "Ada" } }, wait: true },
    });
    expect(typed.status).toBe(200);
    const body = (await typed.json()) as {
      outcome: string;
      resolvedBy: string;
      result: { execution: { status: string; id: string } };
    };
    expect(body).toMatchObject({ outcome: "ok", resolvedBy: "typed" });
    expect(body.result.execution.status).toBe("succeeded");
    const text = await call("/api/v1/commands", { token: adaToken, json: { text: "/orchestrate status" } });
    expect(((await text.json()) as { result: { type: string } }).result.type).toBe("status");
    const rows = await new AuditRepository(http.app.database).recent({ limit: 10 });
    const mine = rows.filter((row) => row.platform === "api");
    expect(mine.map((row) => [row.actorId, row.commandType, row.outcome])).toEqual([
      ["ada", "status", "ok"],
      ["ada", "workflow.run", "ok"],
    ]);
    expect(mine[1]?.executionId).toBe(body.result.execution.id);
  });

  it("refuses a viewer's change with 403 naming the permission, and lets them read", async () => {
    const denied = await call("/api/v1/commands", {
      token: vicToken,
      json: { command: { type: "workflow.run", workflow: "hello", input: { name: "Vic" } } },
    });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ code: "denied", permission: "workflow.run" });
    for (const path of [
      "/api/v1/executions",
      "/api/v1/schedules",
      "/api/v1/agents",
      "/api/v1/budgets",
      "/api/v1/proposals",
      "/api/v1/audit?limit=5",
      "/api/v1/workflows/hello",
    ]) {
      const answer = await call(path, { token: vicToken });
      expect(answer.status, path).toBe(200);
    }
    const read = await call("/api/v1/workflows", { token: vicToken });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { workflows: Array<{ name: string }> }).workflows.map((w) => w.name)).toContain(
      "hello",
    );
  });

  it("asks for confirm: true before a destructive command (409 with the question), then runs it", async () => {
    const started = await call("/api/v1/commands", {
      token: adaToken,
      json: { command: { type: "schedule.create", cron: "0 9 * * *", action: "digest" } },
    });
    const schedule = ((await started.json()) as { result: { schedule: { id: string } } }).result.schedule.id;
    const unconfirmed = await call("/api/v1/commands", {
      token: adaToken,
      json: { command: { type: "schedule.delete", schedule } },
    });
    expect(unconfirmed.status).toBe(409);
    expect(await unconfirmed.json()).toMatchObject({
      code: "confirmation_required",
      question: `Delete schedule ${schedule}? It will not fire again.`,
    });
    const confirmed = await call("/api/v1/commands", {
      token: adaToken,
      json: { command: { type: "schedule.delete", schedule }, confirm: true },
    });
    expect(confirmed.status).toBe(200);
    const list = await call("/api/v1/schedules", { token: adaToken });
    expect(((await list.json()) as { schedules: unknown[] }).schedules).toEqual([]);
  });

  it("approves a waiting run over REST, and reads it back with its steps and the audit page by page", async () => {
    const started = await call("/api/v1/commands", {
      token: adaToken,
      json: { command: { type: "workflow.run", workflow: "gate", input: {} }, wait: true },
    });
    const run = ((await started.json()) as { result: { execution: { id: string; status: string } } }).result.execution;
    expect(run.status).toBe("waiting");
    const viewerTry = await call(`/api/v1/executions/${run.id}/approve`, { token: vicToken, json: {} });
    expect(viewerTry.status).toBe(403);
    const approved = await call(`/api/v1/executions/${run.id}/approve`, {
      token: adaToken,
      json: { note: "go", wait: true },
    });
    expect(approved.status).toBe(200);
    const shown = await call(`/api/v1/executions/${run.id}`, { token: vicToken });
    const detail = (
      (await shown.json()) as { detail: { execution: { status: string }; attempts: Array<{ stepPath: string }> } }
    ).detail;
    expect(detail.execution.status).toBe("succeeded");
    expect(detail.attempts.map((attempt) => attempt.stepPath)).toEqual(["confirm", "ship"]);
    const missing = await call("/api/v1/executions/ex_nope", { token: adaToken });
    expect(missing.status).toBe(404);
    type Page = { entries: Array<{ id: number; commandType: string | null; outcome: string }> };
    const first = (await (await call("/api/v1/audit?limit=2&actor=ada", { token: adaToken })).json()) as Page;
    expect(first.entries).toHaveLength(2);
    const last = first.entries.at(-1)?.id ?? 0;
    const next = (await (
      await call(`/api/v1/audit?limit=2&actor=ada&before=${last}`, { token: adaToken })
    ).json()) as Page;
    expect(next.entries.every((entry) => entry.id < last)).toBe(true);
    const denied = (await (await call("/api/v1/audit?outcome=denied", { token: adaToken })).json()) as Page;
    expect(denied.entries.map((entry) => entry.commandType)).toEqual(["execution.approve"]);
    const runs = (await (await call("/api/v1/audit?command=workflow.run", { token: adaToken })).json()) as Page;
    expect(runs.entries.map((entry) => entry.outcome)).toEqual(["ok"]);
  });

  it("records a token's last use, and a revoked token stops working at once", async () => {
    expect((await call("/api/v1/status", { token: vicToken })).status).toBe(200);
    const listed = await call("/api/v1/commands", { token: vicToken, json: { text: "/orchestrate tokens" } });
    const tokens = (
      (await listed.json()) as { result: { tokens: Array<{ id: number; hint: string; lastUsedAt: string | null }> } }
    ).result.tokens;
    expect(tokens).toHaveLength(1);
    expect(tokens[0]?.lastUsedAt).not.toBeNull();
    expect(vicToken.startsWith(tokens[0]?.hint.replace("…", "") ?? "?")).toBe(true);
    // Ada cannot revoke Vic's token: it is not hers.
    const theirs = await call("/api/v1/commands", {
      token: adaToken,
      json: { command: { type: "token.revoke", token: tokens[0]?.id ?? 0 }, confirm: true },
    });
    expect(theirs.status).toBe(404);
    const revoked = await call("/api/v1/commands", {
      token: vicToken,
      json: { command: { type: "token.revoke", token: tokens[0]?.id ?? 0 }, confirm: true },
    });
    expect(revoked.status).toBe(200);
    expect((await call("/api/v1/status", { token: vicToken })).status).toBe(401);
    // A token never makes another token (one made so would outlive its maker's revocation).
    const minted = await call("/api/v1/commands", { token: adaToken, json: { command: { type: "token.create" } } });
    expect(minted.status).toBe(403);
    // Only the hash is kept.
    const rows = await http.app.database.raw.all<{ token_hash: string }>("SELECT token_hash FROM api_tokens", []);
    expect(rows.some((row) => row.token_hash.includes(vicToken) || vicToken.includes(row.token_hash))).toBe(false);
  });

  it("answers bad bodies with 400 naming the field, 415 and 413, and records them", async () => {
    const missing = await call("/api/v1/commands", { token: adaToken, json: { command: { type: "workflow.run" } } });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ code: "invalid_request", field: "/command/workflow" });
    const both = await call("/api/v1/commands", {
      token: adaToken,
      json: { text: "status", command: { type: "status" } },
    });
    expect(both.status).toBe(400);
    const plain = await call("/api/v1/commands", {
      token: adaToken,
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "status",
    });
    expect(plain.status).toBe(415);
    const huge = await call("/api/v1/commands", { token: adaToken, json: { text: "x".repeat(2 * 1024 * 1024) } });
    expect(huge.status).toBe(413);
    const badQuery = await call("/api/v1/executions?status=sleeping", { token: adaToken });
    expect(badQuery.status).toBe(400);
    expect(await badQuery.json()).toMatchObject({ field: "status" });
    const invalid = (await new AuditRepository(http.app.database).recent({ limit: 20 })).filter(
      (row) => row.platform === "api" && row.outcome === "invalid",
    );
    expect(invalid.length).toBeGreaterThanOrEqual(4);
  });
});
