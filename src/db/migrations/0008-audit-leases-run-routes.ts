import { DataTypes } from "sequelize";
import type { MigrationContext } from "../migrate.js";

/**
 * Audit rows get the process that opened them (`owner`) and a lease (`lease_until`) that process
 * renews while the request is open, so any live process can close the rows of one that died.
 * `execution_routes` keeps a run's "continue on a cheaper model" decision across restarts.
 */
export const name = "0008-audit-leases-run-routes";

export async function up({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  await qi.addColumn("audit_entries", "owner", { type: DataTypes.STRING(128), allowNull: true }, { transaction });
  await qi.addColumn("audit_entries", "lease_until", { type: DataTypes.DATE, allowNull: true }, { transaction });
  await qi.addIndex("audit_entries", ["outcome", "lease_until"], { transaction, name: "audit_entries_outcome_lease" });
  await qi.createTable(
    "execution_routes",
    {
      execution_id: { type: DataTypes.STRING(64), primaryKey: true },
      provider: { type: DataTypes.STRING(64), allowNull: false },
      model: { type: DataTypes.STRING(128), allowNull: true },
      decided_by: { type: DataTypes.STRING(128), allowNull: true },
      decided_at: { type: DataTypes.DATE, allowNull: false },
    },
    { transaction },
  );
}

export async function down({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  await qi.dropTable("execution_routes", { transaction });
  await qi.removeIndex("audit_entries", "audit_entries_outcome_lease", { transaction });
  await qi.removeColumn("audit_entries", "lease_until", { transaction });
  await qi.removeColumn("audit_entries", "owner", { transaction });
}
