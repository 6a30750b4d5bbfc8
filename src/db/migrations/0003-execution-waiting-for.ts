import { DataTypes } from "sequelize";
import type { MigrationContext } from "../migrate.js";

/** What a waiting execution waits for (an approval, or a decision about a cut-off step), as JSON. */
export const name = "0003-execution-waiting-for";

export async function up({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  await qi.addColumn("executions", "waiting_for", { type: DataTypes.JSON, allowNull: true }, { transaction });
}

export async function down({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  await qi.removeColumn("executions", "waiting_for", { transaction });
}
