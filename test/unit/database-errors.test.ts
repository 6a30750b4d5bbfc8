import {
  ConnectionError,
  ConnectionRefusedError,
  DatabaseError,
  HostNotFoundError,
  TimeoutError,
  UniqueConstraintError,
} from "sequelize";
import { describe, expect, it } from "vitest";
import { databaseError, isTransientDatabaseError, toBatonError } from "../../src/errors.js";

/** A driver error as pg or sqlite3 raises it: a message with internals, and a code. */
function driver(code: string, message = `${code}: at 10.0.0.5:5432 in /srv/baton/baton.db`) {
  return Object.assign(new Error(message), { code, sql: "SELECT secret FROM vault" });
}

/** Sequelize's DatabaseError wants the driver error to carry the SQL it ran. */
const wrapped = (code: string) => new DatabaseError(driver(code) as Error & { sql: string });

describe("which database errors are retried", () => {
  it.each([
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_BUSY_SNAPSHOT",
    "40001",
    "40P01",
    "55P03",
    "57P01",
    "57P03",
    "08006",
    "53300",
  ])("retries %s", (code) => {
    expect(isTransientDatabaseError(wrapped(code))).toBe(true);
    expect(toBatonError(wrapped(code))).toMatchObject({ code: "database_error", retryable: true });
  });

  it.each(["SQLITE_CONSTRAINT", "SQLITE_ERROR", "23505", "42P01", "42601", "28P01"])("does not retry %s", (code) => {
    expect(toBatonError(wrapped(code))).toMatchObject({ code: "database_error", retryable: false });
  });

  it("reads Sequelize's connection family and its timeout", () => {
    expect(isTransientDatabaseError(new ConnectionRefusedError(driver("ECONNREFUSED")))).toBe(true);
    expect(isTransientDatabaseError(new HostNotFoundError(driver("ENOTFOUND")))).toBe(true);
    expect(isTransientDatabaseError(new TimeoutError(driver("SQLITE_BUSY") as Error & { sql: string }))).toBe(true);
    expect(isTransientDatabaseError(new ConnectionError(new Error("Connection terminated unexpectedly")))).toBe(true);
    // The server answered, and said no: a retry gets the same answer.
    expect(isTransientDatabaseError(new ConnectionError(driver("3D000")))).toBe(false);
  });

  it("does not retry a constraint violation, and shows only its code", () => {
    const unique = new UniqueConstraintError({ parent: driver("23505") as Error & { sql: string } });
    const error = toBatonError(unique);
    expect(error).toMatchObject({ code: "database_error", retryable: false, cause: unique });
    expect(error.message).toBe("The database refused the request (23505); baton's log has the details.");
  });

  it("reads a raw driver error's own code (raw statements bypass Sequelize)", () => {
    const error = databaseError(driver("SQLITE_BUSY"));
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toBe("The database refused the request (SQLITE_BUSY); baton's log has the details.");
    expect(databaseError(new Error("no code at all"))).toMatchObject({ retryable: false });
  });
});
