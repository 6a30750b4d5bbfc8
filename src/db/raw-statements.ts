import { QueryTypes, type Sequelize } from "sequelize";
import { BatonError, databaseError } from "../errors.js";
import type { Dialect } from "./database.js";

/** A value bound to a statement: dates and JSON are converted to each dialect's storage form. */
export type SqlValue = string | number | null | Date | { json: unknown };

export interface RunResult {
  changes: number;
  /** The inserted row's id (SQLite's lastID; PostgreSQL needs `RETURNING id`). */
  lastId: number | null;
}

interface SqliteStatement {
  run(params: unknown[], callback: (this: { changes: number; lastID: number }, error: Error | null) => void): void;
  all(params: unknown[], callback: (error: Error | null, rows: unknown[]) => void): void;
  finalize(callback: () => void): void;
}

interface SqliteHandle {
  prepare(sql: string, callback: (error: Error | null) => void): SqliteStatement;
}

/**
 * The engine's hot path (one attempt row per step, the execution's own row) as plain SQL. Through
 * Sequelize's models each statement costs about 0.5–0.7 ms (query building, instance building,
 * node-sqlite3's thread hop); a prepared statement on SQLite's shared handle costs about 0.06–0.1
 * ms, which is what lets a durable step cost less than a LangGraph checkpoint. On PostgreSQL the
 * same SQL goes through `sequelize.query` with bind parameters (no model overhead either).
 *
 * Placeholders are `?`; SQL given per dialect where the dialects differ (casts, RETURNING).
 */
export class RawStatements {
  private readonly prepared = new Map<string, Promise<SqliteStatement>>();
  private handle: Promise<SqliteHandle> | null = null;

  constructor(
    private readonly sequelize: Sequelize,
    readonly dialect: Dialect,
  ) {}

  run(sql: string, values: SqlValue[]): Promise<RunResult> {
    return this.execute(sql, values).catch(refused);
  }

  async get<Row>(sql: string, values: SqlValue[]): Promise<Row | null> {
    const rows = await this.select<Row>(sql, values).catch(refused);
    return rows[0] ?? null;
  }

  all<Row>(sql: string, values: SqlValue[]): Promise<Row[]> {
    return this.select<Row>(sql, values).catch(refused);
  }

  private async execute(sql: string, values: SqlValue[]): Promise<RunResult> {
    const params = values.map((value) => this.bind(value));
    if (this.dialect === "postgres") {
      const [rows, count] = (await this.sequelize.query(numbered(sql), { bind: params, raw: true })) as [
        Array<{ id?: unknown }>,
        unknown,
      ];
      const id = Array.isArray(rows) && rows[0]?.id !== undefined ? Number(rows[0].id) : null;
      return { changes: rowCount(count, rows), lastId: id };
    }
    const statement = await this.statement(sql);
    return new Promise((resolve, reject) => {
      statement.run(params, function (error) {
        if (error) reject(error);
        else resolve({ changes: this.changes, lastId: this.changes > 0 ? this.lastID : null });
      });
    });
  }

  private async select<Row>(sql: string, values: SqlValue[]): Promise<Row[]> {
    const params = values.map((value) => this.bind(value));
    if (this.dialect === "postgres") {
      return (await this.sequelize.query(numbered(sql), { bind: params, type: QueryTypes.SELECT })) as Row[];
    }
    const statement = await this.statement(sql);
    // `all`, not `get`: a statement stepped to its end leaves no read transaction open on the shared
    // handle (one left open would pin an old snapshot and make the handle's next write SQLITE_BUSY).
    return new Promise((resolve, reject) => {
      statement.all(params, (error, rows) => (error ? reject(error) : resolve(rows as Row[])));
    });
  }

  /** Finalizes prepared statements; SQLite refuses to close a handle that still has some. */
  async close(): Promise<void> {
    const statements = [...this.prepared.values()];
    this.prepared.clear();
    const finalize = async (pending: Promise<SqliteStatement>) => {
      const statement = await pending.catch(() => null);
      if (statement) await new Promise<void>((resolve) => statement.finalize(() => resolve()));
    };
    await Promise.all(statements.map(finalize));
  }

  private statement(sql: string): Promise<SqliteStatement> {
    let statement = this.prepared.get(sql);
    if (!statement) {
      statement = this.prepare(sql);
      this.prepared.set(sql, statement);
      // A statement that cannot be prepared (a missing table) is tried again next time.
      statement.catch(() => this.prepared.delete(sql));
    }
    return statement;
  }

  private async prepare(sql: string): Promise<SqliteStatement> {
    // Sequelize's shared handle for statements outside transactions (its `default` connection).
    this.handle ??= (
      this.sequelize.connectionManager as unknown as { getConnection(o: object): Promise<SqliteHandle> }
    ).getConnection({});
    const handle = await this.handle;
    return new Promise((resolve, reject) => {
      const statement = handle.prepare(sql, (error) => (error ? reject(error) : resolve(statement)));
    });
  }

  private bind(value: SqlValue): unknown {
    if (value instanceof Date) return this.dialect === "sqlite" ? sqliteDate(value) : value.toISOString();
    if (value !== null && typeof value === "object") return value.json === null ? null : JSON.stringify(value.json);
    return value;
  }
}

/** The database's own error, as the rest of baton speaks it (errors.ts maps Sequelize's the same way). */
function refused(error: unknown): never {
  if (error instanceof BatonError) throw error;
  throw databaseError(error);
}

/** Sequelize's SQLite date format, so raw rows compare and read back like the models' own. */
export function sqliteDate(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", " +00:00");
}

/** `?` → `$1, $2…` for PostgreSQL's bind parameters. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function rowCount(count: unknown, rows: unknown): number {
  if (typeof count === "number") return count;
  if (count && typeof count === "object" && "rowCount" in count) return Number(count.rowCount);
  return Array.isArray(rows) ? rows.length : 0;
}
