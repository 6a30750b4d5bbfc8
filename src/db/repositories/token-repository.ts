import type { Database } from "../database.js";
import { clip, dateColumn } from "./columns.js";

/** A personal API token as baton keeps it: never the token, only its hash and a hint to recognise it. */
export interface TokenRecord {
  id: number;
  /** The token's first characters (`baton_Ab3d…`), so its owner can tell tokens apart. */
  hint: string;
  label: string;
  /** The account it acts as (`platform:id`). */
  account: string;
  actorName: string;
  /** Made by the installation's owner at the console (`baton token create` without --user): acts as the owner. */
  owner: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewToken {
  tokenHash: string;
  hint: string;
  label: string;
  account: string;
  actorName: string;
  owner: boolean;
  createdAt: Date;
}

interface TokenRow {
  id: number | string;
  hint: string;
  label: string;
  account: string;
  actor_name: string;
  owner: unknown;
  created_at: unknown;
  last_used_at: unknown;
  revoked_at: unknown;
}

const COLUMNS = "id, hint, label, account, actor_name, owner, created_at, last_used_at, revoked_at";

/** Personal API tokens (table `api_tokens`, migration 0011). */
export class TokenRepository {
  constructor(private readonly db: Database) {}

  async create(token: NewToken): Promise<TokenRecord> {
    await this.db.raw.run(
      "INSERT INTO api_tokens (token_hash, hint, label, account, actor_name, owner, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      [
        token.tokenHash,
        token.hint,
        clip(token.label, 100),
        clip(token.account, 200),
        clip(token.actorName, 200),
        // A boolean column on PostgreSQL, an integer on SQLite: both read the literal the same way.
        token.owner ? 1 : 0,
        token.createdAt,
      ],
    );
    const row = await this.db.raw.get<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = ?`, [
      token.tokenHash,
    ]);
    if (row === null) throw new Error("the token row was not written");
    return toRecord(row);
  }

  /** The live token with this hash (not revoked), or null. */
  async findActive(tokenHash: string): Promise<TokenRecord | null> {
    const row = await this.db.raw.get<TokenRow>(
      `SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`,
      [tokenHash],
    );
    return row === null ? null : toRecord(row);
  }

  /** Records a use; at most one write per token per minute, so a busy token does not write on every request. */
  async touch(id: number, at: Date): Promise<void> {
    const before = new Date(at.getTime() - 60_000);
    await this.db.raw.run(
      "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
      [at, id, before],
    );
  }

  /** The tokens of these accounts (one person's), newest first, revoked ones included. */
  async listFor(accounts: readonly string[]): Promise<TokenRecord[]> {
    if (accounts.length === 0) return [];
    const marks = accounts.map(() => "?").join(", ");
    const rows = await this.db.raw.all<TokenRow>(
      `SELECT ${COLUMNS} FROM api_tokens WHERE account IN (${marks}) ORDER BY created_at DESC, id DESC`,
      [...accounts],
    );
    return rows.map(toRecord);
  }

  /** Revokes a live token of these accounts; null when there is none with that id. */
  async revoke(id: number, accounts: readonly string[], at: Date): Promise<TokenRecord | null> {
    if (accounts.length === 0) return null;
    const marks = accounts.map(() => "?").join(", ");
    const done = await this.db.raw.run(
      `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL AND account IN (${marks})`,
      [at, id, ...accounts],
    );
    if (done.changes === 0) return null;
    const row = await this.db.raw.get<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE id = ?`, [id]);
    return row === null ? null : toRecord(row);
  }
}

function toRecord(row: TokenRow): TokenRecord {
  return {
    id: Number(row.id),
    hint: row.hint,
    label: row.label,
    account: row.account,
    actorName: row.actor_name,
    owner: row.owner === true || row.owner === 1 || row.owner === "1",
    createdAt: dateColumn(row.created_at),
    lastUsedAt: row.last_used_at === null || row.last_used_at === undefined ? null : dateColumn(row.last_used_at),
    revokedAt: row.revoked_at === null || row.revoked_at === undefined ? null : dateColumn(row.revoked_at),
  };
}
