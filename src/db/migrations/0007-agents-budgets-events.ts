import { DataTypes } from "sequelize";
import type { MigrationContext } from "../migrate.js";

/**
 * Specialist agents, budgets with their daily usage counters, the persisted event log, `/improve`
 * feedback and the workflow versions an improver proposes.
 */
export const name = "0007-agents-budgets-events";

const optional = (length: number) => ({ type: DataTypes.STRING(length), allowNull: true });
const required = (length: number) => ({ type: DataTypes.STRING(length), allowNull: false });
const when = (allowNull: boolean) => ({ type: DataTypes.DATE, allowNull });
const money = { type: DataTypes.DECIMAL(14, 6), allowNull: false, defaultValue: 0 };

export async function up({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  await qi.createTable(
    "events",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      created_at: when(false),
      type: required(64),
      execution_id: optional(64),
      agent_id: optional(64),
      actor_id: optional(128),
      payload: { type: DataTypes.JSON, allowNull: false },
    },
    { transaction },
  );
  await qi.addIndex("events", ["created_at"], { transaction, name: "events_created_at" });
  await qi.addIndex("events", ["type", "created_at"], { transaction, name: "events_type_created_at" });

  await qi.createTable(
    "agents",
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      specialty: required(64),
      status: required(16),
      config: { type: DataTypes.JSON, allowNull: false },
      created_by: optional(128),
      channel: optional(255),
      thread: optional(255),
      created_at: when(false),
      last_used_at: when(false),
      retired_at: when(true),
    },
    { transaction },
  );
  await qi.addIndex("agents", ["status", "last_used_at"], { transaction, name: "agents_status_last_used" });

  const limit = { type: DataTypes.DECIMAL(14, 6), allowNull: true };
  await qi.createTable(
    "budgets",
    {
      scope: { type: DataTypes.STRING(255), primaryKey: true },
      max_agents: limit,
      max_concurrent_runs: limit,
      max_daily_cost_usd: limit,
      max_tokens_per_run: limit,
      updated_by: optional(128),
      updated_at: when(false),
    },
    { transaction },
  );
  // One row per scope and day: the reservation is a single conditional UPDATE on it.
  await qi.createTable(
    "budget_usage",
    {
      scope: { type: DataTypes.STRING(255), primaryKey: true },
      day: { type: DataTypes.STRING(10), primaryKey: true },
      reserved_usd: money,
      spent_usd: money,
    },
    { transaction },
  );

  await qi.createTable(
    "feedback",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      created_at: when(false),
      actor_id: required(128),
      execution_id: optional(64),
      workflow_name: optional(255),
      workflow_version: { type: DataTypes.INTEGER, allowNull: true },
      text: { type: DataTypes.TEXT, allowNull: false },
      status: required(24),
      channel: optional(255),
      thread: optional(255),
    },
    { transaction },
  );
  await qi.addIndex("feedback", ["status", "created_at"], { transaction, name: "feedback_status_created_at" });

  await qi.createTable(
    "improvement_proposals",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      created_at: when(false),
      feedback_id: { type: DataTypes.BIGINT, allowNull: true },
      workflow_name: required(255),
      base_version: { type: DataTypes.INTEGER, allowNull: false },
      definition: { type: DataTypes.JSON, allowNull: false },
      diff: { type: DataTypes.TEXT, allowNull: false },
      replay: { type: DataTypes.JSON, allowNull: true },
      status: required(16),
      applied_version: { type: DataTypes.INTEGER, allowNull: true },
      decided_by: optional(128),
      decided_at: when(true),
    },
    { transaction },
  );
}

export async function down({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  for (const table of ["improvement_proposals", "feedback", "budget_usage", "budgets", "agents", "events"]) {
    await qi.dropTable(table, { transaction });
  }
}
