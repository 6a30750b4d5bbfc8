import type { Database } from "../database.js";

/** Why a link code could not be redeemed. */
export type RedeemFailure = "unknown" | "used" | "expired";

/**
 * One person behind several accounts (tables `identity_links` and `link_codes`, migration 0010).
 * An account with no row is a person of its own; linked accounts share a `person` key, the account
 * that asked for the first code. Codes are kept as hashes only, used once, and expire.
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

  /** Stores a new code for this account; any code it asked for before stops working. */
  async issueCode(account: string, codeHash: string, expiresAt: Date): Promise<void> {
    await this.db.raw.run("DELETE FROM link_codes WHERE account = ? AND used_at IS NULL", [account]);
    await this.db.raw.run("INSERT INTO link_codes (code_hash, account, expires_at) VALUES (?, ?, ?)", [
      codeHash,
      account,
      expiresAt,
    ]);
  }

  /** Spends a code once: the account that asked for it, or why it cannot be used. */
  async redeemCode(codeHash: string, now: Date): Promise<{ account: string } | { failure: RedeemFailure }> {
    const claimed = await this.db.raw.run(
      "UPDATE link_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?",
      [now, codeHash, now],
    );
    const row = await this.db.raw.get<{ account: string; used_at: unknown }>(
      "SELECT account, used_at FROM link_codes WHERE code_hash = ?",
      [codeHash],
    );
    if (row === null) return { failure: "unknown" };
    if (claimed.changes === 1) return { account: row.account };
    return { failure: row.used_at === null ? "expired" : "used" };
  }

  /** Makes `account` one person with `to` (and everyone `to` is linked to). */
  async link(to: string, account: string, now: Date): Promise<string> {
    const person = (await this.personOf(to)) ?? to;
    // `to` joined first: a millisecond apart keeps the accounts in the order they were linked.
    const joined: Array<[string, Date]> = [
      [to, now],
      [account, new Date(now.getTime() + 1)],
    ];
    for (const [member, at] of joined)
      await this.db.raw.run(
        "INSERT INTO identity_links (account, person, linked_at) VALUES (?, ?, ?) ON CONFLICT (account) DO NOTHING",
        [member, person, at],
      );
    return person;
  }

  /**
   * Makes this account a person of its own. When it was the person's key, the others keep their
   * link under the earliest of them; a person left with one account is no longer linked at all.
   */
  async unlink(account: string): Promise<boolean> {
    const person = await this.personOf(account);
    if (person === null) return false;
    await this.db.raw.run("DELETE FROM identity_links WHERE account = ?", [account]);
    const rest = await this.accountsOf(person);
    if (rest.length <= 1) {
      await this.db.raw.run("DELETE FROM identity_links WHERE person = ?", [person]);
    } else if (person === account) {
      await this.db.raw.run("UPDATE identity_links SET person = ? WHERE person = ?", [rest[0] as string, person]);
    }
    return true;
  }
}
