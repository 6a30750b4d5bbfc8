import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";
import { appliedMigrations, MIGRATION_NAMES, migrateToLatest } from "../../src/db/migrate.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { WorkflowRepository } from "../../src/db/repositories/workflow-repository.js";
import { silentLogger } from "../../src/logger.js";
import { DATABASE_KINDS, sqliteDatabase, type TestDatabase } from "../support/databases.js";

const opening = (dedupeKey: string, actorId = "U1") => ({
  at: new Date(),
  platform: "slack",
  workspace: "T1",
  channel: "C1",
  thread: null,
  actorId,
  actorName: actorId === "U1" ? "Ada" : "Lin",
  text: "/orchestrate status",
  dedupeKey,
});

describe.each(DATABASE_KINDS)("database on $kind", ({ kind, create }) => {
  let testDb: TestDatabase;
  let db: Database;

  beforeEach(async () => {
    testDb = await create();
    db = await openDatabase({ url: testDb.url, logger: silentLogger });
  });

  afterEach(async () => {
    await db.close();
    await testDb.drop();
  });

  it("creates every table through migrations and records them", async () => {
    const tables = (await db.sequelize.getQueryInterface().showAllTables()).map(String).sort();
    expect(tables).toEqual(
      expect.arrayContaining([
        "api_tokens",
        "audit_entries",
        "baton_migrations",
        "executions",
        "step_attempts",
        "workflow_versions",
        "workflows",
      ]),
    );
    expect(await migrateToLatest(db, silentLogger)).toEqual([]);
    expect(await appliedMigrations(db, silentLogger)).toEqual([...MIGRATION_NAMES]);
    expect(MIGRATION_NAMES).toEqual([
      "0001-initial",
      "0002-llm-calls",
      "0003-execution-waiting-for",
      "0004-slack-messages",
      "0006-schedules",
      "0007-agents-budgets-events",
      "0008-audit-leases-run-routes",
      "0009-audit-chain",
      "0010-access",
      "0011-api-tokens",
    ]);
  });

  it("keeps one audit row per dedupe key and closes it with the outcome", async () => {
    const audit = new AuditRepository(db);
    const first = await audit.open(opening("evt-1"));
    expect(await audit.open(opening("evt-1"))).toBe("duplicate");
    if (first === "duplicate") throw new Error("first insert reported duplicate");
    await audit.close(first.id, {
      finishedAt: new Date(),
      command: { type: "status" },
      commandType: "status",
      resolvedBy: "grammar",
      confidence: 1,
      outcome: "ok",
      errorCode: null,
      errorMessage: null,
      durationMs: 12.4,
      executionId: null,
      llm: { inputTokens: 120, outputTokens: 30, costUsd: 0.00123 },
    });
    const row = await audit.get(first.id);
    expect(row).toMatchObject({ outcome: "ok", commandType: "status", durationMs: 12, command: { type: "status" } });
  });

  it("lists history newest first and by actor id or name", async () => {
    const audit = new AuditRepository(db);
    await audit.open({ ...opening("a", "U1"), at: new Date(Date.now() - 2000) });
    await audit.open({ ...opening("b", "U2"), at: new Date(Date.now() - 1000) });
    await audit.open({ ...opening("c", "U1"), at: new Date() });
    expect((await audit.recent({ limit: 10 })).map((r) => r.dedupeKey)).toEqual(["c", "b", "a"]);
    expect((await audit.recent({ limit: 10, actor: "U2" })).map((r) => r.dedupeKey)).toEqual(["b"]);
    expect((await audit.recent({ limit: 10, actor: "ada" })).map((r) => r.dedupeKey)).toEqual(["c", "a"]);
    expect(await audit.recent({ limit: 1 })).toHaveLength(1);
  });

  it("versions a workflow only when its definition changes, through concurrent writers", async () => {
    const workflows = new WorkflowRepository(db);
    const save = (checksum: string) =>
      workflows.saveVersion({
        name: "hello",
        description: null,
        definition: { checksum },
        checksum,
        source: "test",
        createdBy: null,
        now: new Date(),
      });
    expect(await save("one")).toEqual({ version: 1, created: true });
    expect(await save("one")).toEqual({ version: 1, created: false });
    // Concurrent multi-statement transactions go through the writer queue instead of failing SQLITE_BUSY.
    const results = await Promise.all(["two", "three", "four"].map(save));
    expect(results.map((r) => r.version).sort()).toEqual([2, 3, 4]);
    expect((await workflows.versions("hello")).map((v) => v.version)).toEqual([4, 3, 2, 1]);
  });

  it.runIf(kind === "sqlite")("opens every SQLite handle in WAL mode with a busy timeout", async () => {
    const [rows] = await db.sequelize.query("PRAGMA journal_mode");
    expect(rows).toEqual([{ journal_mode: "wal" }]);
    const timeouts = await db.writes.run(async (transaction) => {
      const [inside] = await db.sequelize.query("PRAGMA busy_timeout", { transaction });
      return inside;
    });
    expect(timeouts).toEqual([{ timeout: 5000 }]);
    const [outside] = await db.sequelize.query("PRAGMA busy_timeout");
    expect(outside).toEqual([{ timeout: 5000 }]);
  });
});

describe("migrations on an existing SQLite file", () => {
  it("runs once and then reports nothing pending after a reopen", async () => {
    const testDb = sqliteDatabase();
    const first = await openDatabase({ url: testDb.url, logger: silentLogger, migrate: false });
    expect(await migrateToLatest(first, silentLogger)).toEqual([...MIGRATION_NAMES]);
    await first.close();
    const second = await openDatabase({ url: testDb.url, logger: silentLogger, migrate: false });
    expect(await migrateToLatest(second, silentLogger)).toEqual([]);
    await second.close();
    await testDb.drop();
  });
});

describe.each(DATABASE_KINDS)("replicas starting together on $kind", ({ create }) => {
  it("migrate once and save each workflow version once", async () => {
    const testDb = await create();
    // Separate Sequelize instances have separate connections and writer queues, as separate processes do.
    const replicas = await Promise.all(
      [1, 2, 3].map(() => openDatabase({ url: testDb.url, logger: silentLogger, busyTimeoutMs: 10_000 })),
    );
    try {
      expect(await appliedMigrations(replicas[0] as Database, silentLogger)).toEqual([...MIGRATION_NAMES]);
      const saves = await Promise.all(
        replicas.map((db) =>
          new WorkflowRepository(db).saveVersion({
            name: "hello",
            description: null,
            definition: { v: 1 },
            checksum: "same",
            source: "test",
            createdBy: null,
            now: new Date(),
          }),
        ),
      );
      expect(saves.filter((s) => s.created)).toEqual([{ version: 1, created: true }]);
      expect(saves.map((s) => s.version)).toEqual([1, 1, 1]);
    } finally {
      await Promise.all(replicas.map((db) => db.close()));
      await testDb.drop();
    }
  });
});
