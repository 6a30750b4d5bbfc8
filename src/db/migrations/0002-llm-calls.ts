import { DataTypes } from "sequelize";
import type { MigrationContext } from "../migrate.js";

/** The usage and cost ledger: one row per LLM call, whatever it served and however it ended. */
export const name = "0002-llm-calls";

export async function up({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  const int = { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 };
  const optional = (length: number) => ({ type: DataTypes.STRING(length), allowNull: true });
  await qi.createTable(
    "llm_calls",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
      provider: { type: DataTypes.STRING(32), allowNull: false },
      model: { type: DataTypes.STRING(128), allowNull: false },
      purpose: { type: DataTypes.STRING(16), allowNull: false },
      input_tokens: int,
      output_tokens: int,
      cached_input_tokens: int,
      cache_write_tokens: int,
      cost_usd: { type: DataTypes.DECIMAL(14, 6), allowNull: true },
      latency_ms: { type: DataTypes.INTEGER, allowNull: false },
      outcome: { type: DataTypes.STRING(16), allowNull: false },
      error_code: optional(64),
      audit_id: { type: DataTypes.BIGINT, allowNull: true },
      execution_id: optional(64),
      agent_id: optional(64),
      actor_id: optional(128),
    },
    { transaction },
  );
  await qi.addIndex("llm_calls", ["created_at"], { transaction, name: "llm_calls_created_at" });
  await qi.addIndex("llm_calls", ["audit_id"], { transaction, name: "llm_calls_audit_id" });
}

export async function down({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  await qi.dropTable("llm_calls", { transaction });
}
