import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterFile, tempDir } from "./cleanup.js";

export interface TestDatabase {
  label: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh SQLite file in its own temporary directory (removed after the test file if not dropped before). */
export function sqliteDatabase(): TestDatabase {
  const dir = tempDir("test");
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

/**
 * A new, empty PostgreSQL database of its own, dropped by `drop()` or else after the test file. Every
 * call gets a fresh one, so test files running in parallel (and other checkouts' runs against the
 * same server) never share tables; the name carries the vitest worker for whoever finds one left.
 */
export async function postgresDatabase(): Promise<TestDatabase> {
  if (!postgresAdminUrl) throw new Error("BATON_TEST_POSTGRES_URL is not set");
  const name = `baton_test_w${process.env.VITEST_POOL_ID ?? "0"}_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | null = null;
  const drop = () => {
    dropped ??= adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    return dropped;
  };
  afterFile(drop);
  return { label: "postgres", url: url.toString(), drop };
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
