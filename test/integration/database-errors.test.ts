import { Sequelize } from "sequelize";
import sqlite3 from "sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Database, openDatabase, sqliteStorage } from "../../src/db/database.js";
import { type BatonError, toBatonError } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";

/**
 * Issue 13 item 5: a database error is retryable only when the driver says the failure is
 * transient (busy, lock timeouts, connection loss), and its text never reaches a person. Every
 * error here is the real one a real database raised.
 */

const SHOWN = /^The database refused the request \([A-Za-z0-9_]+\); baton's log has the details\.$/;

/** What the database threw for `work`, as baton shows it. */
async function refusal(work: () => Promise<unknown>): Promise<BatonError> {
  const caught = await work().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught, "the database should have refused").toBeInstanceOf(Error);
  return toBatonError(caught);
}

/** The driver's message must stay in the cause, for the log, and out of what is shown. */
function expectNoDriverText(error: BatonError): void {
  expect(error.message).toMatch(SHOWN);
  const driver = (error.cause as Error).message;
  expect(driver.length).toBeGreaterThan(0);
  expect(error.message).not.toContain(driver);
}

describe.each(DATABASE_KINDS)("database errors on $kind", ({ kind, create }) => {
  let testDb: TestDatabase;
  let db: Database;

  beforeEach(async () => {
    testDb = await create();
    db = await openDatabase({ url: testDb.url, logger: silentLogger, migrate: false });
    await db.sequelize.query("CREATE TABLE gadgets (id INTEGER PRIMARY KEY, name TEXT UNIQUE)");
    await db.sequelize.query("INSERT INTO gadgets (id, name) VALUES (1, 'sprocket')");
  });

  afterEach(async () => {
    await db.close();
    await testDb.drop();
  });

  it("does not retry a unique violation", async () => {
    const error = await refusal(() => db.sequelize.query("INSERT INTO gadgets (id, name) VALUES (2, 'sprocket')"));
    expect(error.cause).toMatchObject({ name: "SequelizeUniqueConstraintError" });
    expect(error).toMatchObject({ code: "database_error", retryable: false });
    expectNoDriverText(error);
    expect(error.message).not.toContain("gadgets");
  });

  it("does not retry a missing table or a syntax error", async () => {
    const missing = await refusal(() => db.sequelize.query("SELECT * FROM nowhere_to_be_found"));
    expect(missing).toMatchObject({ code: "database_error", retryable: false });
    expect(missing.message).toBe(
      `The database refused the request (${kind === "sqlite" ? "SQLITE_ERROR" : "42P01"}); baton's log has the details.`,
    );
    expectNoDriverText(missing);
    expect(missing.message).not.toContain("nowhere_to_be_found");
    const syntax = await refusal(() => db.sequelize.query("SELEKT 1"));
    expect(syntax).toMatchObject({ code: "database_error", retryable: false });
    expectNoDriverText(syntax);
  });

  if (kind === "postgres") {
    it("retries a lock timeout on a row another connection holds", async () => {
      const held = await db.sequelize.transaction();
      try {
        await db.sequelize.query("SELECT * FROM gadgets WHERE id = 1 FOR UPDATE", { transaction: held });
        const error = await refusal(() =>
          db.sequelize.transaction(async (transaction) => {
            await db.sequelize.query("SET LOCAL lock_timeout = '10ms'", { transaction });
            await db.sequelize.query("SELECT * FROM gadgets WHERE id = 1 FOR UPDATE", { transaction });
          }),
        );
        expect(error).toMatchObject({ code: "database_error", retryable: true });
        expect(error.message).toBe("The database refused the request (55P03); baton's log has the details.");
        expectNoDriverText(error);
      } finally {
        await held.rollback();
      }
    });
  }

  if (kind === "postgres") {
    it("does not retry a connection to a database that does not exist", async () => {
      const url = new URL(testDb.url);
      url.pathname = "/baton_no_such_database";
      const sequelize = new Sequelize(url.toString(), { dialect: "postgres", logging: false, pool: { max: 1 } });
      try {
        const error = await refusal(() => sequelize.authenticate());
        expect(error.cause).toMatchObject({ name: "SequelizeConnectionError" });
        expect(error).toMatchObject({ code: "database_error", retryable: false });
        expect(error.message).toBe("The database refused the request (3D000); baton's log has the details.");
        expectNoDriverText(error);
      } finally {
        await sequelize.close();
      }
    });
  }

  if (kind === "sqlite") {
    it("retries SQLITE_BUSY when another connection holds the write lock", async () => {
      const storage = sqliteStorage(testDb.url);
      const holder = await openRaw(storage);
      const impatient = await openDatabase({ url: testDb.url, logger: silentLogger, migrate: false, busyTimeoutMs: 1 });
      try {
        await exec(holder, "BEGIN EXCLUSIVE");
        const error = await refusal(() =>
          impatient.sequelize.query("INSERT INTO gadgets (id, name) VALUES (3, 'cog')"),
        );
        expect(error.cause).toMatchObject({ name: "SequelizeTimeoutError" });
        expect(error).toMatchObject({ code: "database_error", retryable: true });
        expect(error.message).toBe("The database refused the request (SQLITE_BUSY); baton's log has the details.");
        expectNoDriverText(error);
        await exec(holder, "ROLLBACK");
      } finally {
        await impatient.close();
        await new Promise<void>((resolve) => holder.close(() => resolve()));
      }
    });
  }
});

describe("connection failures", () => {
  it("retries a refused PostgreSQL connection and shows none of its address", async () => {
    // Port 1 on the loopback address: nothing listens there, so the driver's connect is refused.
    const sequelize = new Sequelize("postgres://baton:hunter2@127.0.0.1:1/baton", {
      dialect: "postgres",
      logging: false,
      pool: { max: 1, acquire: 5_000 },
    });
    try {
      const error = await refusal(() => sequelize.authenticate());
      expect(error.cause).toMatchObject({ name: "SequelizeConnectionRefusedError" });
      expect(error).toMatchObject({ code: "database_error", retryable: true });
      expectNoDriverText(error);
      for (const internal of ["127.0.0.1", "hunter2", ":1"]) expect(error.message).not.toContain(internal);
    } finally {
      await sequelize.close();
    }
  });
});

function openRaw(storage: string): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const handle = new sqlite3.Database(storage, (error) => (error ? reject(error) : resolve(handle)));
  });
}

function exec(handle: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => handle.exec(sql, (error) => (error ? reject(error) : resolve())));
}
