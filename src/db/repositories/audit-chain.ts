import { UniqueConstraintError } from "sequelize";
import { BatonError } from "../../errors.js";
import { type ChainedColumns, chainHash, GENESIS_HASH } from "../audit-hash.js";
import type { Database } from "../database.js";

/** A row's final content, without its place in the chain (the chain assigns it). */
export type ClosedRow = Omit<ChainedColumns, "seq"> & { id: number };

/** The columns a close writes besides the chain's own, in the order CLOSE_SQL binds them. */
const CLOSING_COLUMNS = [
  "finished_at",
  "command",
  "command_type",
  "resolved_by",
  "confidence",
  "outcome",
  "error_code",
  "error_message",
  "duration_ms",
  "execution_id",
  "llm_input_tokens",
  "llm_output_tokens",
  "llm_cost_usd",
] as const;

const CLOSE_SQL = `UPDATE audit_entries SET ${CLOSING_COLUMNS.map((c) => `${c} = ?`).join(", ")},
  seq = ?, prev_hash = ?, hash = ?, lease_until = NULL WHERE id = ? AND outcome = 'pending'`;

const HEAD_SQL = "SELECT seq, hash FROM audit_entries WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1";

/** How often one close may lose the race for the next place to another process before giving up. */
const MAX_RACES = 50;

/**
 * Appends closed rows to the tamper-evident chain. A close stays one autocommit statement (DESIGN.md:
 * no transaction on the audit path): it writes the final content together with `seq` = head + 1
 * and the hash linking it to the head. `seq` is unique, so when several processes (replicas on one
 * PostgreSQL, `baton say` beside `baton start` on one SQLite file) close at once, exactly one wins
 * each place; the others read the new head and try the next one. Within a process appends take
 * turns and the head is remembered, so the usual close costs that single statement.
 */
export class AuditChain {
  private head: { seq: number; hash: string } | null = null;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Database) {}

  /** Writes the row's final content and chains it; false when the row was no longer pending. */
  append(row: ClosedRow): Promise<boolean> {
    const next = this.tail.then(() => this.appendNow(row));
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Reads the head now, so the first close after start is one statement too. */
  prime(): Promise<void> {
    const next = this.tail.then(async () => {
      this.head ??= await this.readHead();
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async appendNow(row: ClosedRow): Promise<boolean> {
    for (let race = 0; race < MAX_RACES; race += 1) {
      const head = this.head ?? (await this.readHead());
      const seq = head.seq + 1;
      const hash = chainHash(head.hash, { ...row, seq });
      const closing = CLOSING_COLUMNS.map((column) => (column === "command" ? { json: row.command } : row[column]));
      try {
        const { changes } = await this.db.raw.run(CLOSE_SQL, [
          ...(closing as Array<string | number | Date | null | { json: unknown }>),
          seq,
          head.hash,
          hash,
          row.id,
        ]);
        if (changes === 0) return false;
        this.head = { seq, hash };
        return true;
      } catch (error) {
        this.head = null;
        if (!isUniqueViolation(error)) throw error;
      }
    }
    throw new BatonError(
      "database_error",
      "The audit row could not be added to the audit chain: other processes kept taking its place; try again.",
      { retryable: true },
    );
  }

  private async readHead(): Promise<{ seq: number; hash: string }> {
    const row = await this.db.raw.get<{ seq: unknown; hash: string | null }>(HEAD_SQL, []);
    return row ? { seq: Number(row.seq), hash: row.hash ?? GENESIS_HASH } : { seq: 0, hash: GENESIS_HASH };
  }
}

/** Another writer took this `seq` first (SQLite and PostgreSQL each say so their own way). */
function isUniqueViolation(error: unknown): boolean {
  const cause = error instanceof BatonError ? error.cause : error;
  if (cause instanceof UniqueConstraintError) return true;
  const detail = cause as { code?: unknown; message?: unknown } | null;
  if (detail?.code === "23505") return true;
  return detail?.code === "SQLITE_CONSTRAINT" && String(detail.message).includes("UNIQUE");
}
