import { DataTypes } from "sequelize";
import type { MigrationContext } from "../migrate.js";

/**
 * What baton did in Slack: every message it posted (channel + ts, so a message can be found and
 * edited again) and every button click as it arrived (Slack does not redeliver clicks). `key` is
 * unique: a ChannelPublisher idempotency key or a click's trigger id, so a retry writes nothing new.
 */
export const name = "0004-slack-messages";

export async function up({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  const optional = (length: number) => ({ type: DataTypes.STRING(length), allowNull: true });
  await qi.createTable(
    "slack_messages",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
      kind: { type: DataTypes.STRING(16), allowNull: false },
      workspace: optional(32),
      channel: { type: DataTypes.STRING(64), allowNull: false },
      ts: optional(32),
      thread_ts: optional(32),
      user_id: optional(32),
      key: optional(256),
      detail: optional(512),
    },
    { transaction },
  );
  await qi.addIndex("slack_messages", ["key"], { transaction, name: "slack_messages_key", unique: true });
  await qi.addIndex("slack_messages", ["channel", "ts"], { transaction, name: "slack_messages_channel_ts" });
}

export async function down({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  await qi.dropTable("slack_messages", { transaction });
}
