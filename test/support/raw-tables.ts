import type { Database } from "../../src/db/database.js";

/**
 * Every row of every table, read with plain SQL (no repository, no model), as one JSON text per
 * table: what a person with the database file would see.
 */
export async function rawTables(db: Database): Promise<Record<string, string>> {
  const tables =
    db.dialect === "sqlite"
      ? await db.raw.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'", [])
      : await db.raw.all<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'", []);
  const dump: Record<string, string> = {};
  for (const { name } of tables) {
    const rows = await db.raw.all<Record<string, unknown>>(`SELECT * FROM "${name}"`, []);
    dump[name] = JSON.stringify(rows);
  }
  return dump;
}

/** The tables (and how often) where any of `needles` appears. */
export async function tablesContaining(db: Database, needles: readonly string[]): Promise<string[]> {
  const dump = await rawTables(db);
  return Object.entries(dump)
    .filter(([, text]) =>
      needles.some((needle) => text.includes(needle) || text.includes(JSON.stringify(needle).slice(1, -1))),
    )
    .map(([table]) => table);
}
