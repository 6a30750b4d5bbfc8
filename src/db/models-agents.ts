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
  id,
  int,
  json,
  key,
  reqDate,
  reqDecimal,
  reqInt,
  reqJson,
  reqStr,
  reqText,
  str,
} from "./columns.js";

/** Row shapes of the tables migration 0007 creates (agents, budgets, events, feedback, proposals). */

export class EventRow extends Model<InferAttributes<EventRow>, InferCreationAttributes<EventRow>> {
  declare id: CreationOptional<number>;
  declare created_at: Date;
  declare type: string;
  declare execution_id: string | null;
  declare agent_id: string | null;
  declare actor_id: string | null;
  declare payload: unknown;
}

export class AgentRow extends Model<InferAttributes<AgentRow>, InferCreationAttributes<AgentRow>> {
  declare id: string;
  declare specialty: string;
  declare status: string;
  declare config: unknown;
  declare created_by: string | null;
  declare channel: string | null;
  declare thread: string | null;
  declare created_at: Date;
  declare last_used_at: Date;
  declare retired_at: Date | null;
}

export class BudgetRow extends Model<InferAttributes<BudgetRow>, InferCreationAttributes<BudgetRow>> {
  declare scope: string;
  declare max_agents: string | null;
  declare max_concurrent_runs: string | null;
  declare max_daily_cost_usd: string | null;
  declare max_tokens_per_run: string | null;
  declare updated_by: string | null;
  declare updated_at: Date;
}

export class BudgetUsageRow extends Model<InferAttributes<BudgetUsageRow>, InferCreationAttributes<BudgetUsageRow>> {
  declare scope: string;
  declare day: string;
  declare reserved_usd: string;
  declare spent_usd: string;
}

export class FeedbackRow extends Model<InferAttributes<FeedbackRow>, InferCreationAttributes<FeedbackRow>> {
  declare id: CreationOptional<number>;
  declare created_at: Date;
  declare actor_id: string;
  declare execution_id: string | null;
  declare workflow_name: string | null;
  declare workflow_version: number | null;
  declare text: string;
  declare status: string;
  declare channel: string | null;
  declare thread: string | null;
}

export class ProposalRow extends Model<InferAttributes<ProposalRow>, InferCreationAttributes<ProposalRow>> {
  declare id: CreationOptional<number>;
  declare created_at: Date;
  declare feedback_id: number | null;
  declare workflow_name: string;
  declare base_version: number;
  declare definition: unknown;
  declare diff: string;
  declare replay: unknown;
  declare status: string;
  declare applied_version: number | null;
  declare decided_by: string | null;
  declare decided_at: Date | null;
}

export interface AgentModels {
  Event: typeof EventRow;
  Agent: typeof AgentRow;
  Budget: typeof BudgetRow;
  BudgetUsage: typeof BudgetUsageRow;
  Feedback: typeof FeedbackRow;
  Proposal: typeof ProposalRow;
}

export function defineAgentModels(sequelize: Sequelize): AgentModels {
  const common = { sequelize, timestamps: false, underscored: true } as const;
  class Event extends EventRow {}
  Event.init(
    {
      id: id(),
      created_at: reqDate(),
      type: reqStr(),
      execution_id: str(),
      agent_id: str(),
      actor_id: str(),
      payload: reqJson(),
    },
    { ...common, tableName: "events", modelName: "Event" },
  );
  class Agent extends AgentRow {}
  Agent.init(
    {
      id: key(),
      specialty: reqStr(),
      status: reqStr(),
      config: reqJson(),
      created_by: str(),
      channel: str(),
      thread: str(),
      created_at: reqDate(),
      last_used_at: reqDate(),
      retired_at: date(),
    },
    { ...common, tableName: "agents", modelName: "Agent" },
  );
  class Budget extends BudgetRow {}
  Budget.init(
    {
      scope: key(),
      max_agents: decimal(),
      max_concurrent_runs: decimal(),
      max_daily_cost_usd: decimal(),
      max_tokens_per_run: decimal(),
      updated_by: str(),
      updated_at: reqDate(),
    },
    { ...common, tableName: "budgets", modelName: "Budget" },
  );
  class BudgetUsage extends BudgetUsageRow {}
  BudgetUsage.init(
    {
      scope: key(),
      day: key(),
      reserved_usd: reqDecimal(),
      spent_usd: reqDecimal(),
    },
    { ...common, tableName: "budget_usage", modelName: "BudgetUsage" },
  );
  class Feedback extends FeedbackRow {}
  Feedback.init(
    {
      id: id(),
      created_at: reqDate(),
      actor_id: reqStr(),
      execution_id: str(),
      workflow_name: str(),
      workflow_version: int(),
      text: reqText(),
      status: reqStr(),
      channel: str(),
      thread: str(),
    },
    { ...common, tableName: "feedback", modelName: "Feedback" },
  );
  class Proposal extends ProposalRow {}
  Proposal.init(
    {
      id: id(),
      created_at: reqDate(),
      feedback_id: bigint(),
      workflow_name: reqStr(),
      base_version: reqInt(),
      definition: reqJson(),
      diff: reqText(),
      replay: json(),
      status: reqStr(),
      applied_version: int(),
      decided_by: str(),
      decided_at: date(),
    },
    { ...common, tableName: "improvement_proposals", modelName: "Proposal" },
  );
  return { Event, Agent, Budget, BudgetUsage, Feedback, Proposal };
}
