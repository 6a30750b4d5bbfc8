import { DataTypes } from "sequelize";
import type { MigrationContext } from "../migrate.js";

/**
 * Personal API tokens (README "HTTP API"): one row per token, kept as the SHA-256 of the token
 * only (the token itself is shown once, when it is created). A token acts as the account that
 * created it (`account`, `platform:id`), with that person's roles (`owner`: made by the installation's owner at the console, who is an
 * admin there); `last_used_at` is written on use.
 */
export const name = "0011-api-tokens";

export async function up({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  await qi.createTable(
    "api_tokens",
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
      hint: { type: DataTypes.STRING(16), allowNull: false },
      label: { type: DataTypes.STRING(100), allowNull: false },
      account: { type: DataTypes.STRING(200), allowNull: false },
      actor_name: { type: DataTypes.STRING(200), allowNull: false },
      owner: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
      last_used_at: { type: DataTypes.DATE, allowNull: true },
      revoked_at: { type: DataTypes.DATE, allowNull: true },
    },
    { transaction },
  );
  await qi.addIndex("api_tokens", ["account"], { transaction, name: "api_tokens_account" });
}

export async function down({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  await qi.removeIndex("api_tokens", "api_tokens_account", { transaction });
  await qi.dropTable("api_tokens", { transaction });
}
