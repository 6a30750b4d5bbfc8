import { DataTypes, QueryTypes } from "sequelize";
import { type ChainedColumns, chainHash, GENESIS_HASH } from "../audit-hash.js";
import type { MigrationContext } from "../migrate.js";

/**
 * The tamper-evident chain over audit rows: `seq` orders it (unique, so two writers can never fork
 * it), `prev_hash` and `hash` link each closed row to the one before. Rows already closed are
 * chained here in id order, so `baton audit verify` covers the whole log from the start.
 */
export const name = "0009-audit-chain";

const PAGE = 500;

export async function up({ context }: { context: MigrationContext }): Promise<void> {
  const { qi, transaction } = context;
  await qi.addColumn("audit_entries", "seq", { type: DataTypes.BIGINT, allowNull: true }, { transaction });
  await qi.addColumn("audit_entries", "prev_hash", { type: DataTypes.STRING(64), allowNull: true }, { transaction });
  await qi.addColumn("audit_entries", "hash", { type: DataTypes.STRING(64), allowNull: true }, { transaction });
  await qi.addIndex("audit_entries", ["seq"], { transaction, unique: true, name: "audit_entries_seq" });
  await chainClosedRows(context);
}

/** Chains every closed row in id order; pending ones are chained when they close. */
async function chainClosedRows({ qi, transaction }: MigrationContext): Promise<void> {
  const sequelize = qi.sequelize;
  let previous = GENESIS_HASH;
  let seq = 0;
  let afterId = 0;
  for (;;) {
    const rows = await sequelize.query<ChainedColumns>(
      `SELECT * FROM audit_entries WHERE outcome <> 'pending' AND id > :afterId ORDER BY id LIMIT ${PAGE}`,
      { replacements: { afterId }, type: QueryTypes.SELECT, transaction },
    );
    for (const row of rows) {
      seq += 1;
      const hash = chainHash(previous, { ...row, seq });
      await sequelize.query("UPDATE audit_entries SET seq = :seq, prev_hash = :previous, hash = :hash WHERE id = :id", {
        replacements: { seq, previous, hash, id: row.id },
        transaction,
      });
      previous = hash;
      afterId = Number(row.id);
    }
    if (rows.length < PAGE) return;
  }
}

export async function down({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  await qi.removeIndex("audit_entries", "audit_entries_seq", { transaction });
  for (const column of ["hash", "prev_hash", "seq"]) await qi.removeColumn("audit_entries", column, { transaction });
}
