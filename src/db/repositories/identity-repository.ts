import type { Database } from "../database.js";

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
}
