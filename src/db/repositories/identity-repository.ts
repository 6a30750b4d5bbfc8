import type { Database } from "../database.js";
import { clip, dateColumn } from "./columns.js";

export interface LinkCode {
  account: string;
  expiresAt: Date;
  usedAt: Date | null;
}

/**
 * One person behind several accounts (tables `identity_links` and `link_codes`, migration 0010).
 * An account with no row is a person of its own; linked accounts share a `person` key.
 */
export class IdentityRepository {
  constructor(private readonly db: Database) {}

  /** The person this account belongs to, or null when it was never linked. */
  async personOf(account: string): Promise<string | null> {
    const row = await this.db.raw.get<{ person: string }>("SELECT person FROM identity_links WHERE account = ?", [
      account,
    ]);
    return row?.person ?? null;
  }

  /** Every account of a person, the person's own key included when it is linked. */
  async accountsOf(person: string): Promise<string[]> {
    const rows = await this.db.raw.all<{ account: string }>(
      "SELECT account FROM identity_links WHERE person = ? ORDER BY linked_at, account",
      [person],
    );
    return rows.map((row) => row.account);
  }

  /** Puts every account in `accounts` under `person` (each account belongs to one person). */
  async link(person: string, accounts: readonly string[], at: Date): Promise<void> {
    await this.db.writes.run(async (transaction) => {
      for (const account of accounts) {
        await this.db.sequelize.query("DELETE FROM identity_links WHERE account = :account", {
          replacements: { account },
          transaction,
        });
        await this.db.sequelize.query(
          "INSERT INTO identity_links (account, person, linked_at) VALUES (:account, :person, :at)",
          { replacements: { account: clip(account, 200), person: clip(person, 200), at }, transaction },
        );
      }
    });
  }

  /** Takes an account out of its person; the person's last other account is left alone too. */
  async unlink(account: string): Promise<string | null> {
    const person = await this.personOf(account);
    if (person === null) return null;
    await this.db.raw.run("DELETE FROM identity_links WHERE account = ?", [account]);
    const rest = await this.accountsOf(person);
    if (rest.length === 1 && rest[0] !== undefined)
      await this.db.raw.run("DELETE FROM identity_links WHERE account = ?", [rest[0]]);
    return person;
  }

  async saveCode(codeHash: string, account: string, expiresAt: Date): Promise<void> {
    await this.db.raw.run("INSERT INTO link_codes (code_hash, account, expires_at) VALUES (?, ?, ?)", [
      codeHash,
      clip(account, 200),
      expiresAt,
    ]);
  }

  /** Marks the code used and returns it, once: a second use, or an unknown code, returns null. */
  async useCode(codeHash: string, at: Date): Promise<LinkCode | null> {
    const row = await this.db.raw.get<{ account: string; expires_at: unknown; used_at: unknown }>(
      "SELECT account, expires_at, used_at FROM link_codes WHERE code_hash = ?",
      [codeHash],
    );
    if (!row) return null;
    const claimed = await this.db.raw.run("UPDATE link_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL", [
      at,
      codeHash,
    ]);
    if (claimed.changes === 0) return { account: row.account, expiresAt: dateColumn(row.expires_at), usedAt: at };
    return { account: row.account, expiresAt: dateColumn(row.expires_at), usedAt: null };
  }
}
