import { Sequelize } from "sequelize";
import type { Logger } from "../logger.js";
import { migrationsCurrent } from "./migration-list.js";
import { defineModels, type Models } from "./models.js";
import { RawStatements } from "./raw-statements.js";
import { WriteQueue } from "./write-queue.js";

export type Dialect = "sqlite" | "postgres";

export interface Database {
  sequelize: Sequelize;
  dialect: Dialect;
  models: Models;
  writes: WriteQueue;
  /** Plain prepared SQL for the engine's hot path (raw-statements.ts). */
  raw: RawStatements;
  /** Where the data lives, with any password removed, for status and logs. */
  location: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  url: string;
  logger: Logger;
  busyTimeoutMs?: number;
  /** Log every SQL statement at debug level (LOG_LEVEL=debug); off, Sequelize skips formatting them. */
  logSql?: boolean;
  /** Run pending migrations before returning (start-up does; `baton migrate` calls migrate itself). */
  migrate?: boolean;
}

interface SqliteHandle {
  configure(option: "busyTimeout", value: number): void;
  exec(sql: string, callback: (error: Error | null) => void): void;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  const dialect: Dialect = options.url.startsWith("sqlite:") ? "sqlite" : "postgres";
  const logging = options.logSql ? (sql: string) => options.logger.debug("sql", { sql }) : false;
  const sequelize =
    dialect === "sqlite"
      ? new Sequelize({ dialect: "sqlite", storage: sqliteStorage(options.url), logging })
      : new Sequelize(options.url, { dialect: "postgres", logging, pool: { max: 10, min: 0, idle: 10_000 } });
  if (dialect === "sqlite") configureEveryHandle(sequelize, options.busyTimeoutMs ?? 5000);
  await sequelize.authenticate();
  const raw = new RawStatements(sequelize, dialect);
  const database: Database = {
    sequelize,
    dialect,
    models: defineModels(sequelize),
    writes: new WriteQueue(sequelize, dialect === "sqlite"),
    raw,
    location: dialect === "sqlite" ? `sqlite:${sqliteStorage(options.url)}` : withoutPassword(options.url),
    close: async () => {
      await raw.close();
      await sequelize.close();
    },
  };
  if ((options.migrate ?? true) && !(await migrationsCurrent(sequelize))) {
    // The migrator is loaded only when there is something to apply.
    const { migrateToLatest } = await import("./migrate.js");
    await migrateToLatest(database, options.logger);
  }
  return database;
}

/** `sqlite:./data/baton.db`, `sqlite:///abs/path.db`, `sqlite::memory:` → the storage Sequelize wants. */
export function sqliteStorage(url: string): string {
  const rest = url.slice("sqlite:".length);
  if (rest === ":memory:" || rest === "//:memory:") return ":memory:";
  return rest.startsWith("//") ? rest.slice(2) : rest;
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "postgres";
  }
}

/**
 * busy_timeout and synchronous are per handle, and Sequelize's sqlite dialect opens a new handle
 * for every transaction without an afterConnect hook, so we wrap getConnection. journal_mode=WAL
 * sticks to the file; setting it on each handle is cheap and covers a file created by another tool.
 * wal_autocheckpoint 10000 pages (~40 MB of WAL) instead of SQLite's 1000: each checkpoint syncs the
 * database file, and with one small commit per workflow step the default checkpointed every few
 * hundred steps (bench:engine measured about 10% more time per step).
 */
function configureEveryHandle(sequelize: Sequelize, busyTimeoutMs: number): void {
  const manager = sequelize.connectionManager as unknown as {
    getConnection(options?: unknown): Promise<SqliteHandle>;
  };
  const configured = new WeakSet<SqliteHandle>();
  const original = manager.getConnection.bind(manager);
  manager.getConnection = async (connectionOptions?: unknown) => {
    const handle = await original(connectionOptions);
    if (!configured.has(handle)) {
      configured.add(handle);
      handle.configure("busyTimeout", busyTimeoutMs);
      await exec(handle, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 10000;");
    }
    return handle;
  };
}

function exec(handle: SqliteHandle, sql: string): Promise<void> {
  return new Promise((resolve, reject) => handle.exec(sql, (error) => (error ? reject(error) : resolve())));
}
