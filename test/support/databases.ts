import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export interface TestDatabase {
  label: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh SQLite file in its own temporary directory. */
export function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), "baton-test-"));
  return {
    label: "sqlite",
    url: `sqlite:${join(dir, "baton.db")}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The PostgreSQL server tests may use, from BATON_TEST_POSTGRES_URL (set by .ci/run when one is up). */
export const postgresAdminUrl = process.env.BATON_TEST_POSTGRES_URL;

if (!postgresAdminUrl) {
  console.warn("BATON_TEST_POSTGRES_URL is not set: PostgreSQL integration tests are skipped.");
}

/** A new, empty PostgreSQL database for one test file; dropped afterwards. */
export async function postgresDatabase(): Promise<TestDatabase> {
  if (!postgresAdminUrl) throw new Error("BATON_TEST_POSTGRES_URL is not set");
  const name = `baton_test_${randomBytes(4).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    label: "postgres",
    url: url.toString(),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The databases every data-layer test runs against: SQLite always, PostgreSQL when configured. */
export const DATABASE_KINDS: Array<{ kind: "sqlite" | "postgres"; create: () => Promise<TestDatabase> }> = [
  { kind: "sqlite", create: async () => sqliteDatabase() },
  ...(postgresAdminUrl ? [{ kind: "postgres" as const, create: postgresDatabase }] : []),
];
