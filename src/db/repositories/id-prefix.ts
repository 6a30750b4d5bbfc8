import { QueryTypes } from "sequelize";
import type { Database } from "../database.js";

/** The tables whose ids people type (execution, agent and schedule ids). */
export type TypedIdTable = "executions" | "agents" | "schedules";

/** `!` escapes LIKE's wildcards: a backslash would mean different things to each dialect's string parser. */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** The first `limit` ids in `table` that begin with `prefix`, in id order (enough to tell one from several). */
export async function idsStartingWith(db: Database, table: TypedIdTable, prefix: string, limit = 2): Promise<string[]> {
  const rows = await db.sequelize.query<{ id: string }>(
    `SELECT id FROM ${table} WHERE id LIKE :pattern ESCAPE '!' ORDER BY id LIMIT :limit`,
    { replacements: { pattern: likePrefix(prefix), limit }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => row.id);
}
