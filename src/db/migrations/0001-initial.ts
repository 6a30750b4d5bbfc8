import { DataTypes, type QueryInterface, type Transaction } from "sequelize";
import type { MigrationContext } from "../migrate.js";

/**
 * The foundation's tables: the audit log, workflows and their versions, executions (with lease
 * columns and a parent for sub-workflows) and step attempts keyed by step path. Later migrations
 * extend them instead of replacing them.
 */
export const name = "0001-initial";

const timestamp = { type: DataTypes.DATE, allowNull: false };
const optionalTimestamp = { type: DataTypes.DATE, allowNull: true };
const optionalString = (length: number) => ({ type: DataTypes.STRING(length), allowNull: true });
const requiredString = (length: number) => ({ type: DataTypes.STRING(length), allowNull: false });

export async function up({ context }: { context: MigrationContext }): Promise<void> {
  const { qi, transaction } = context;
  await createAuditEntries(qi, transaction);
  await createWorkflows(qi, transaction);
  await createExecutions(qi, transaction);
  await createStepAttempts(qi, transaction);
}

export async function down({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  for (const table of ["step_attempts", "executions", "workflow_versions", "workflows", "audit_entries"]) {
    await qi.dropTable(table, { transaction });
  }
}

async function createAuditEntries(qi: QueryInterface, transaction: Transaction): Promise<void> {
  await qi.createTable(
    "audit_entries",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      created_at: timestamp,
      finished_at: optionalTimestamp,
      platform: requiredString(32),
      workspace: optionalString(128),
      channel: optionalString(128),
      thread: optionalString(128),
      actor_id: requiredString(128),
      actor_name: optionalString(256),
      text: { type: DataTypes.TEXT, allowNull: false },
      command: { type: DataTypes.JSON, allowNull: true },
      command_type: optionalString(64),
      resolved_by: optionalString(64),
      confidence: { type: DataTypes.FLOAT, allowNull: true },
      outcome: requiredString(16),
      error_code: optionalString(64),
      error_message: { type: DataTypes.TEXT, allowNull: true },
      duration_ms: { type: DataTypes.INTEGER, allowNull: true },
      llm_input_tokens: { type: DataTypes.INTEGER, allowNull: true },
      llm_output_tokens: { type: DataTypes.INTEGER, allowNull: true },
      llm_cost_usd: { type: DataTypes.DECIMAL(14, 6), allowNull: true },
      execution_id: optionalString(64),
      dedupe_key: requiredString(256),
    },
    { transaction },
  );
  await qi.addIndex("audit_entries", ["dedupe_key"], { transaction, unique: true, name: "audit_entries_dedupe_key" });
  await qi.addIndex("audit_entries", ["created_at"], { transaction, name: "audit_entries_created_at" });
  await qi.addIndex("audit_entries", ["actor_id", "created_at"], {
    transaction,
    name: "audit_entries_actor_created_at",
  });
  await qi.addIndex("audit_entries", ["outcome"], { transaction, name: "audit_entries_outcome" });
}

async function createWorkflows(qi: QueryInterface, transaction: Transaction): Promise<void> {
  await qi.createTable(
    "workflows",
    {
      name: { type: DataTypes.STRING(100), primaryKey: true },
      description: { type: DataTypes.TEXT, allowNull: true },
      current_version: { type: DataTypes.INTEGER, allowNull: false },
      created_at: timestamp,
      updated_at: timestamp,
    },
    { transaction },
  );
  await qi.createTable(
    "workflow_versions",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      workflow_name: {
        ...requiredString(100),
        references: { model: "workflows", key: "name" },
        onDelete: "CASCADE",
      },
      version: { type: DataTypes.INTEGER, allowNull: false },
      definition: { type: DataTypes.JSON, allowNull: false },
      checksum: requiredString(64),
      source: requiredString(256),
      created_by: optionalString(128),
      created_at: timestamp,
    },
    { transaction },
  );
  await qi.addIndex("workflow_versions", ["workflow_name", "version"], {
    transaction,
    unique: true,
    name: "workflow_versions_name_version",
  });
}

async function createExecutions(qi: QueryInterface, transaction: Transaction): Promise<void> {
  await qi.createTable(
    "executions",
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      workflow_name: requiredString(100),
      workflow_version: { type: DataTypes.INTEGER, allowNull: false },
      parent_execution_id: optionalString(64),
      status: requiredString(16),
      input: { type: DataTypes.JSON, allowNull: false },
      output: { type: DataTypes.JSON, allowNull: true },
      error_code: optionalString(64),
      error_message: { type: DataTypes.TEXT, allowNull: true },
      requested_by: requiredString(128),
      requested_by_name: optionalString(256),
      platform: requiredString(32),
      channel: optionalString(128),
      thread: optionalString(128),
      lease_owner: optionalString(128),
      lease_expires_at: optionalTimestamp,
      created_at: timestamp,
      started_at: optionalTimestamp,
      finished_at: optionalTimestamp,
      updated_at: timestamp,
    },
    { transaction },
  );
  await qi.addIndex("executions", ["status"], { transaction, name: "executions_status" });
  await qi.addIndex("executions", ["created_at"], { transaction, name: "executions_created_at" });
  await qi.addIndex("executions", ["workflow_name", "created_at"], {
    transaction,
    name: "executions_workflow_created_at",
  });
}

async function createStepAttempts(qi: QueryInterface, transaction: Transaction): Promise<void> {
  await qi.createTable(
    "step_attempts",
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      execution_id: {
        ...requiredString(64),
        references: { model: "executions", key: "id" },
        onDelete: "CASCADE",
      },
      step_path: requiredString(256),
      step_kind: requiredString(32),
      tool: optionalString(100),
      attempt: { type: DataTypes.INTEGER, allowNull: false },
      status: requiredString(16),
      input: { type: DataTypes.JSON, allowNull: true },
      output: { type: DataTypes.JSON, allowNull: true },
      error_code: optionalString(64),
      error_message: { type: DataTypes.TEXT, allowNull: true },
      started_at: timestamp,
      finished_at: optionalTimestamp,
    },
    { transaction },
  );
  await qi.addIndex("step_attempts", ["execution_id", "step_path", "attempt"], {
    transaction,
    unique: true,
    name: "step_attempts_execution_path_attempt",
  });
}
