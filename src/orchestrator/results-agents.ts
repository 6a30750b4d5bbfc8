import type { AgentRecord } from "../db/repositories/agent-repository.js";
import type { BudgetResult } from "./budgets/budget-handlers.js";
import type { ImproveResult } from "./improve/improve-results.js";

/** Results of the agent, budget and improvement commands (rendered by src/bot/render-agents.ts). */

export interface AgentSummary {
  id: string;
  specialty: string;
  createdBy: string | null;
  channel: string | null;
  goal: string;
  lastUsedAt: Date;
  /** Held in memory now (false: evicted, rebuilt from its stored config when used). */
  live: boolean;
}

export interface AskAnswer {
  text: string;
  provider: string;
  model: string;
  turns: number;
  capped: boolean;
  toolCalls: string[];
}

export type AgentResult =
  | { type: "ask"; agent: AgentSummary; answer: AskAnswer }
  | { type: "agent.spawn"; agent: AgentSummary }
  | { type: "agent.list"; agents: AgentSummary[]; specialties: Array<{ name: string; purpose: string }> }
  | { type: "agent.retire"; agent: AgentSummary }
  | BudgetResult
  | ImproveResult;

export function agentSummary(agent: AgentRecord, live: boolean): AgentSummary {
  return {
    id: agent.id,
    specialty: agent.specialty,
    createdBy: agent.createdBy,
    channel: agent.channel,
    goal: agent.config.goal,
    lastUsedAt: agent.lastUsedAt,
    live,
  };
}
