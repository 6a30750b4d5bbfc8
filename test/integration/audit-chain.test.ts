import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { verifyChain } from "../../src/audit/verify-chain.js";
import { chainHash } from "../../src/db/audit-hash.js";
import { openDatabase } from "../../src/db/database.js";
import { migrateToLatest, withMigrator } from "../../src/db/migrate.js";
import { AuditLogReader, type StoredAuditRow } from "../../src/db/repositories/audit-log-reader.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { silentLogger } from "../../src/logger.js";
import { startAgentsApp } from "../support/agents-app.js";
import { chatRequest, RecordingConversation } from "../support/app.js";
import { runCli } from "../support/cli.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";

/**
 * Issue 12, item 8: a tamper-evident audit log. Two apps on one database (two replicas) write at
 * once; the chain still verifies through the real CLI, and a row changed with raw SQL is named.
 */
const TEXTS = ["/orchestrate status", "/orchestrate help", "/orchestrate show nothing", "/orchestrate workflows"];

async function burst(app: App, count: number, tag: string): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      app.dispatcher
        .dispatch(
          chatRequest(TEXTS[i % TEXTS.length] as string, { dedupeKey: `${tag}:${i}` }),
          new RecordingConversation(true),
        )
        .then((outcome) => outcome.settled),
    ),
  );
}

async function scalar(app: App, sql: string): Promise<number> {
  const [rows] = await app.database.sequelize.query(sql);
  return Number(Object.values((rows as Array<Record<string, unknown>>)[0] ?? {})[0]);
}

describe.each(DATABASE_KINDS)("the audit chain on $kind", ({ create }) => {
  let testDb: TestDatabase;
  let apps: App[];

  beforeAll(async () => {
    testDb = await create();
    // Migrate once first, so the two replicas below start on a ready schema.
    await (await openDatabase({ url: testDb.url, logger: silentLogger })).close();
    apps = await Promise.all([startAgentsApp({ url: testDb.url }), startAgentsApp({ url: testDb.url })]);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await testDb.drop();
  });

  it("stays one unbroken chain with two replicas writing at once, and verify says how many rows it checked", async () => {
    const [one, two] = apps as [App, App];
    await Promise.all([burst(one, 24, "one"), burst(two, 24, "two")]);
    expect(await scalar(one, "SELECT COUNT(*) FROM audit_entries WHERE outcome <> 'pending' AND seq IS NULL")).toBe(0);
    expect(await scalar(one, "SELECT COUNT(DISTINCT seq) FROM audit_entries")).toBe(48);
    expect(await scalar(one, "SELECT MAX(seq) FROM audit_entries")).toBe(48);

    const verified = await runCli(["audit", "verify"], { DATABASE_URL: testDb.url });
    expect(verified.stdout.trim()).toBe("Verified 48 audit row(s): the chain is intact.");
    expect(verified.code).toBe(0);
  });

  it("names the first row whose text was changed with raw SQL, and exits 1", async () => {
    const [one] = apps as [App, App];
    const [row] = (
      await one.database.sequelize.query("SELECT id, text FROM audit_entries WHERE seq = 17")
    )[0] as Array<{
      id: unknown;
      text: string;
    }>;
    const id = Number(row?.id);
    const edit = (text: string) =>
      one.database.sequelize.query("UPDATE audit_entries SET text = :text WHERE id = :id", {
        replacements: { text, id },
      });
    await edit("/orchestrate status (nothing happened here)");
    const tampered = await runCli(["audit", "verify"], { DATABASE_URL: testDb.url });
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain(
      `Audit row ${id} (seq 17) no longer matches its hash: it was changed after it was recorded. (16 row(s) before it verified.)`,
    );
    await edit(row?.text ?? "");
    expect((await runCli(["audit", "verify"], { DATABASE_URL: testDb.url })).code).toBe(0);
  });

  it("names a row rewritten together with a recomputed hash, through the link the next row recorded", async () => {
    const [one] = apps as [App, App];
    const rows = new AuditLogReader(one.database).chained();
    let target: StoredAuditRow | null = null;
    for await (const row of rows) if (row.seq === 30) target = row;
    if (!target) throw new Error("no row 30");
    // Someone who knows the algorithm rewrites the actor and recomputes that row's own hash.
    const forged = { ...target, actor_id: "someone-else" };
    const hash = chainHash(target.prev_hash ?? "", forged);
    await one.database.sequelize.query(
      "UPDATE audit_entries SET actor_id = 'someone-else', hash = :hash WHERE id = :id",
      {
        replacements: { hash, id: target.id },
      },
    );
    // A request still open is not chained yet, and does not count.
    await new AuditRepository(one.database).open({
      at: new Date(),
      platform: "console",
      workspace: null,
      channel: "test",
      thread: null,
      actorId: "ada",
      actorName: "Ada",
      text: "/orchestrate status",
      dedupeKey: "still-open",
    });
    const broken = await runCli(["audit", "verify"], { DATABASE_URL: testDb.url });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(
      `Audit row ${target.id} (seq 30) no longer matches the hash the next row recorded for it: it was changed after it was recorded. (29 row(s) before it verified.)`,
    );
  });
});

describe.each(DATABASE_KINDS)("migration 0009 on $kind", ({ create }) => {
  it("chains the rows closed before the chain existed, in id order, and leaves pending ones for their close", async () => {
    const testDb = await create();
    const db = await openDatabase({ url: testDb.url, logger: silentLogger, migrate: false });
    try {
      await withMigrator(db, silentLogger, (migrator) => migrator.up({ to: "0007-agents-budgets-events" }));
      const row = (i: number, outcome: string) => ({
        created_at: new Date(Date.UTC(2026, 0, i)),
        finished_at: outcome === "pending" ? null : new Date(Date.UTC(2026, 0, i, 0, 0, 1)),
        platform: "console",
        channel: "ops",
        actor_id: "ada",
        text: `/orchestrate status ${i}`,
        command: outcome === "pending" ? null : JSON.stringify({ type: "status" }),
        command_type: outcome === "pending" ? null : "status",
        confidence: outcome === "pending" ? null : 0.73,
        outcome,
        duration_ms: outcome === "pending" ? null : 1000,
        llm_cost_usd: outcome === "pending" ? null : "0.000420",
        dedupe_key: `legacy:${i}`,
      });
      await db.sequelize
        .getQueryInterface()
        .bulkInsert("audit_entries", [row(1, "ok"), row(2, "pending"), row(3, "denied"), row(4, "error")]);
      await migrateToLatest(db, silentLogger);

      expect(await verifyChain(new AuditLogReader(db).chained())).toEqual({ intact: true, verified: 3 });
      const rows = await db.models.AuditEntry.findAll({ order: [["id", "ASC"]] });
      expect(rows.map((r) => (r.seq === null ? null : Number(r.seq)))).toEqual([1, null, 2, 3]);

      // The pending one is chained when it closes, after them.
      const audit = new AuditRepository(db);
      await audit.close(Number(rows[1]?.id), {
        finishedAt: new Date(),
        command: { type: "status" },
        commandType: "status",
        resolvedBy: "grammar",
        confidence: 1,
        outcome: "ok",
        errorCode: null,
        errorMessage: null,
        durationMs: 5,
        executionId: null,
        llm: null,
      });
      expect(await verifyChain(new AuditLogReader(db).chained())).toEqual({ intact: true, verified: 4 });
    } finally {
      await db.close();
      await testDb.drop();
    }
  });
});
