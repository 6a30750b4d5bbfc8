import { DataTypes } from "sequelize";
import type { MigrationContext } from "../migrate.js";

/**
 * The control plane's tables: schedules and their claimed fires (UNIQUE (schedule_id, fire_time),
 * so N replicas run each fire once), orchestrator settings (the mode), orchestrator runs (the
 * decision journal) and digest deliveries (one row per digest with its platform message id).
 */
export const name = "0006-schedules";

const timestamp = { type: DataTypes.DATE, allowNull: false };
const optionalTimestamp = { type: DataTypes.DATE, allowNull: true };
const optionalString = (length: number) => ({ type: DataTypes.STRING(length), allowNull: true });
const requiredString = (length: number) => ({ type: DataTypes.STRING(length), allowNull: false });
const optionalJson = { type: DataTypes.JSON, allowNull: true };

export async function up({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  await qi.createTable(
    "schedules",
    {
      id: { type: DataTypes.STRING(100), primaryKey: true },
      cron: requiredString(200),
      time_zone: requiredString(100),
      action: requiredString(32),
      workflow: optionalString(100),
      input: optionalJson,
      platform: requiredString(32),
      channel: optionalString(128),
      enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      missed_policy: requiredString(16),
      created_by: requiredString(128),
      source: requiredString(256),
      created_at: timestamp,
      updated_at: timestamp,
    },
    { transaction },
  );
  await qi.createTable(
    "schedule_fires",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      schedule_id: requiredString(100),
      fire_time: timestamp,
      claimed_by: requiredString(128),
      claimed_at: timestamp,
      status: requiredString(16),
      detail: { type: DataTypes.TEXT, allowNull: true },
      finished_at: optionalTimestamp,
    },
    { transaction },
  );
  await qi.addIndex("schedule_fires", ["schedule_id", "fire_time"], {
    transaction,
    unique: true,
    name: "schedule_fires_schedule_fire_time",
  });
  await createControlTables(qi, transaction);
  await createDigestDeliveries(qi, transaction);
  // The digest groups a period's requests by actor; this index answers it without touching rows.
  await qi.addIndex("audit_entries", ["created_at", "actor_id"], { transaction, name: "audit_entries_created_actor" });
  // Counting a period's runs by status (status, digest) from the index alone, instead of the
  // planner walking the whole status index.
  await qi.addIndex("executions", ["created_at", "status"], { transaction, name: "executions_created_status" });
}

async function createControlTables(qi: MigrationContext["qi"], transaction: MigrationContext["transaction"]) {
  await qi.createTable(
    "orchestrator_settings",
    {
      key: { type: DataTypes.STRING(64), primaryKey: true },
      value: requiredString(256),
      updated_by: optionalString(128),
      updated_at: timestamp,
    },
    { transaction },
  );
  await qi.createTable(
    "orchestrator_runs",
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      trigger: requiredString(32),
      triggered_by: requiredString(128),
      mode: requiredString(16),
      started_at: timestamp,
      finished_at: optionalTimestamp,
      decisions: optionalJson,
      actions: optionalJson,
      stats_before: optionalJson,
      stats_after: optionalJson,
      outcome: requiredString(16),
    },
    { transaction },
  );
  await qi.addIndex("orchestrator_runs", ["started_at"], { transaction, name: "orchestrator_runs_started_at" });
}

async function createDigestDeliveries(qi: MigrationContext["qi"], transaction: MigrationContext["transaction"]) {
  await qi.createTable(
    "digest_deliveries",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      idempotency_key: requiredString(256),
      platform: requiredString(32),
      channel: requiredString(128),
      period_start: timestamp,
      period_end: timestamp,
      status: requiredString(16),
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      message_id: optionalString(128),
      last_error: { type: DataTypes.TEXT, allowNull: true },
      requested_by: requiredString(128),
      created_at: timestamp,
      delivered_at: optionalTimestamp,
      reported_at: optionalTimestamp,
    },
    { transaction },
  );
  await qi.addIndex("digest_deliveries", ["idempotency_key"], {
    transaction,
    unique: true,
    name: "digest_deliveries_idempotency_key",
  });
  await qi.addIndex("digest_deliveries", ["status"], { transaction, name: "digest_deliveries_status" });
}

export async function down({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  await qi.removeIndex("audit_entries", "audit_entries_created_actor", { transaction });
  await qi.removeIndex("executions", "executions_created_status", { transaction });
  for (const table of [
    "digest_deliveries",
    "orchestrator_runs",
    "orchestrator_settings",
    "schedule_fires",
    "schedules",
  ]) {
    await qi.dropTable(table, { transaction });
  }
}
