import {
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  Model,
  type Sequelize,
} from "sequelize";
import {
  bigint,
  date,
  decimal,
  float,
  id,
  int,
  json,
  key,
  reqDate,
  reqInt,
  reqJson,
  reqStr,
  reqText,
  str,
  text,
} from "./columns.js";
import { type AgentModels, defineAgentModels } from "./models-agents.js";
import { defineScheduleModels, type ScheduleModels } from "./models-schedules.js";

/** Row shapes of the tables created by the migrations. Models only map; migrations own the schema. */

export class AuditEntryRow extends Model<InferAttributes<AuditEntryRow>, InferCreationAttributes<AuditEntryRow>> {
  declare id: CreationOptional<number>;
  declare created_at: Date;
  declare finished_at: Date | null;
  declare platform: string;
  declare workspace: string | null;
  declare channel: string | null;
  declare thread: string | null;
  declare actor_id: string;
  declare actor_name: string | null;
  declare text: string;
  declare command: unknown;
  declare command_type: string | null;
  declare resolved_by: string | null;
  declare confidence: number | null;
  declare outcome: string;
  declare error_code: string | null;
  declare error_message: string | null;
  declare duration_ms: number | null;
  declare llm_input_tokens: number | null;
  declare llm_output_tokens: number | null;
  declare llm_cost_usd: string | null;
  declare execution_id: string | null;
  declare dedupe_key: string;
  /** The process that opened the row, and until when it vouches for it while the request is open. */
  declare owner: string | null;
  declare lease_until: Date | null;
  /** The row's place in the tamper-evident chain (null while pending), and the hashes that link it. */
  declare seq: number | null;
  declare prev_hash: string | null;
  declare hash: string | null;
}

export class WorkflowRow extends Model<InferAttributes<WorkflowRow>, InferCreationAttributes<WorkflowRow>> {
  declare name: string;
  declare description: string | null;
  declare current_version: number;
  declare created_at: Date;
  declare updated_at: Date;
}

export class WorkflowVersionRow extends Model<
  InferAttributes<WorkflowVersionRow>,
  InferCreationAttributes<WorkflowVersionRow>
> {
  declare id: CreationOptional<number>;
  declare workflow_name: string;
  declare version: number;
  declare definition: unknown;
  declare checksum: string;
  declare source: string;
  declare created_by: string | null;
  declare created_at: Date;
}

export class ExecutionRow extends Model<InferAttributes<ExecutionRow>, InferCreationAttributes<ExecutionRow>> {
  declare id: string;
  declare workflow_name: string;
  declare workflow_version: number;
  declare parent_execution_id: string | null;
  declare status: string;
  declare input: Record<string, string>;
  declare output: unknown;
  declare error_code: string | null;
  declare error_message: string | null;
  declare requested_by: string;
  declare requested_by_name: string | null;
  declare platform: string;
  declare channel: string | null;
  declare thread: string | null;
  declare lease_owner: string | null;
  declare lease_expires_at: Date | null;
  declare waiting_for: unknown;
  declare created_at: Date;
  declare started_at: Date | null;
  declare finished_at: Date | null;
  declare updated_at: Date;
}

export class StepAttemptRow extends Model<InferAttributes<StepAttemptRow>, InferCreationAttributes<StepAttemptRow>> {
  declare id: CreationOptional<number>;
  declare execution_id: string;
  declare step_path: string;
  declare step_kind: string;
  declare tool: string | null;
  declare attempt: number;
  declare status: string;
  declare input: unknown;
  declare output: unknown;
  declare error_code: string | null;
  declare error_message: string | null;
  declare started_at: Date;
  declare finished_at: Date | null;
}

export class LlmCallRow extends Model<InferAttributes<LlmCallRow>, InferCreationAttributes<LlmCallRow>> {
  declare id: CreationOptional<number>;
  declare created_at: Date;
  declare provider: string;
  declare model: string;
  declare purpose: string;
  declare input_tokens: number;
  declare output_tokens: number;
  declare cached_input_tokens: number;
  declare cache_write_tokens: number;
  declare cost_usd: string | null;
  declare latency_ms: number;
  declare outcome: string;
  declare error_code: string | null;
  declare audit_id: number | null;
  declare execution_id: string | null;
  declare agent_id: string | null;
  declare actor_id: string | null;
}

export interface Models extends ScheduleModels, AgentModels {
  AuditEntry: typeof AuditEntryRow;
  Workflow: typeof WorkflowRow;
  WorkflowVersion: typeof WorkflowVersionRow;
  Execution: typeof ExecutionRow;
  StepAttempt: typeof StepAttemptRow;
  LlmCall: typeof LlmCallRow;
}

/**
 * Each Sequelize instance gets its own model classes (subclasses), so two databases in one process
 * — as tests and benchmarks open — never share a binding.
 */
export function defineModels(sequelize: Sequelize): Models {
  const common = { sequelize, timestamps: false, underscored: true } as const;
  class AuditEntry extends AuditEntryRow {}
  AuditEntry.init(
    {
      id: id(),
      created_at: reqDate(),
      finished_at: date(),
      platform: reqStr(),
      workspace: str(),
      channel: str(),
      thread: str(),
      actor_id: reqStr(),
      actor_name: str(),
      text: reqText(),
      command: json(),
      command_type: str(),
      resolved_by: str(),
      confidence: float(),
      outcome: reqStr(),
      error_code: str(),
      error_message: text(),
      duration_ms: int(),
      llm_input_tokens: int(),
      llm_output_tokens: int(),
      llm_cost_usd: decimal(),
      execution_id: str(),
      dedupe_key: reqStr(),
      owner: str(),
      lease_until: date(),
      seq: bigint(),
      prev_hash: str(),
      hash: str(),
    },
    { ...common, tableName: "audit_entries", modelName: "AuditEntry" },
  );
  class Workflow extends WorkflowRow {}
  Workflow.init(
    {
      name: key(),
      description: text(),
      current_version: reqInt(),
      created_at: reqDate(),
      updated_at: reqDate(),
    },
    { ...common, tableName: "workflows", modelName: "Workflow" },
  );
  class WorkflowVersion extends WorkflowVersionRow {}
  WorkflowVersion.init(
    {
      id: id(),
      workflow_name: reqStr(),
      version: reqInt(),
      definition: reqJson(),
      checksum: reqStr(),
      source: reqStr(),
      created_by: str(),
      created_at: reqDate(),
    },
    { ...common, tableName: "workflow_versions", modelName: "WorkflowVersion" },
  );
  class Execution extends ExecutionRow {}
  Execution.init(
    {
      id: key(),
      workflow_name: reqStr(),
      workflow_version: reqInt(),
      parent_execution_id: str(),
      status: reqStr(),
      input: reqJson(),
      output: json(),
      error_code: str(),
      error_message: text(),
      requested_by: reqStr(),
      requested_by_name: str(),
      platform: reqStr(),
      channel: str(),
      thread: str(),
      lease_owner: str(),
      lease_expires_at: date(),
      waiting_for: json(),
      created_at: reqDate(),
      started_at: date(),
      finished_at: date(),
      updated_at: reqDate(),
    },
    { ...common, tableName: "executions", modelName: "Execution" },
  );
  class StepAttempt extends StepAttemptRow {}
  StepAttempt.init(
    {
      id: id(),
      execution_id: reqStr(),
      step_path: reqStr(),
      step_kind: reqStr(),
      tool: str(),
      attempt: reqInt(),
      status: reqStr(),
      input: json(),
      output: json(),
      error_code: str(),
      error_message: text(),
      started_at: reqDate(),
      finished_at: date(),
    },
    { ...common, tableName: "step_attempts", modelName: "StepAttempt" },
  );
  class LlmCall extends LlmCallRow {}
  LlmCall.init(
    {
      id: id(),
      created_at: reqDate(),
      provider: reqStr(),
      model: reqStr(),
      purpose: reqStr(),
      input_tokens: reqInt(),
      output_tokens: reqInt(),
      cached_input_tokens: reqInt(),
      cache_write_tokens: reqInt(),
      cost_usd: decimal(),
      latency_ms: reqInt(),
      outcome: reqStr(),
      error_code: str(),
      audit_id: bigint(),
      execution_id: str(),
      agent_id: str(),
      actor_id: str(),
    },
    { ...common, tableName: "llm_calls", modelName: "LlmCall" },
  );
  return {
    AuditEntry,
    Workflow,
    WorkflowVersion,
    Execution,
    StepAttempt,
    LlmCall,
    ...defineScheduleModels(sequelize),
    ...defineAgentModels(sequelize),
  };
}
