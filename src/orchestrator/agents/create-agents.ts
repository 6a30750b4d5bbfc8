import type { Clock } from "../../clock.js";
import type { ModelPrice } from "../../config-llm.js";
import type { Database } from "../../db/database.js";
import { AgentRepository } from "../../db/repositories/agent-repository.js";
import type { AuditRepository } from "../../db/repositories/audit-repository.js";
import type { BudgetRepository } from "../../db/repositories/budget-repository.js";
import type { ExecutionRepository } from "../../db/repositories/execution-repository.js";
import { RunRouteRepository } from "../../db/repositories/run-route-repository.js";
import { BudgetedChat } from "../../llm/budgeted-chat.js";
import type { ChatModel } from "../../llm/chat-model.js";
import type { Logger } from "../../logger.js";
import { BudgetLimitError } from "../budgets/budget-exceeded.js";
import type { BudgetGuard } from "../budgets/budget-guard.js";
import { checkAgentLimit } from "../budgets/count-limits.js";
import type { OrchestratorEventBus } from "../events.js";
import type { AgentHandlerDeps } from "./agent-handlers.js";
import { AgentService } from "./agent-service.js";
import { AgentPool } from "./pool.js";
import { loadSpecialties, type Specialties } from "./specialties.js";

/** A count limit refused an action: the refusal is an event too, like a refused LLM call. */
export async function reportBreach(
  events: OrchestratorEventBus,
  owner: { actorId: string | null },
  check: Promise<void>,
): Promise<void> {
  try {
    await check;
  } catch (error) {
    if (error instanceof BudgetLimitError) {
      events.emit("budget.exceeded", {
        ...error.breach,
        estimate: error.breach.requested,
        executionId: null,
        agentId: null,
        actorId: owner.actorId,
      });
    }
    throw error;
  }
}

export interface AgentSettings {
  poolSize: number;
  idleMs: number;
  maxTurns: number;
  estimateOutputTokens: number;
}

export const DEFAULT_AGENT_SETTINGS: AgentSettings = {
  poolSize: 50,
  idleMs: 24 * 3_600_000,
  maxTurns: 8,
  estimateOutputTokens: 1024,
};

export interface AgentsSetup extends AgentHandlerDeps {
  budgets: BudgetRepository;
  guard: BudgetGuard;
  /** The providers behind budgets; null without an LLM provider. */
  chat: ChatModel | null;
}

/** Specialist agents behind budgets: the pool, the service, and the chat model wrapped by the guard. */
export function createAgents(deps: {
  database: Database;
  executions: ExecutionRepository;
  audit: AuditRepository;
  events: OrchestratorEventBus;
  clock: Clock;
  logger: Logger;
  chat: ChatModel | null;
  price: (model: string) => ModelPrice | undefined;
  specialties?: Specialties | undefined;
  settings?: AgentSettings | undefined;
  /** Built before the router, whose calls reserve against the same guard. */
  budgets: BudgetRepository;
  guard: BudgetGuard;
}): AgentsSetup {
  const settings = deps.settings ?? DEFAULT_AGENT_SETTINGS;
  const agents = new AgentRepository(deps.database);
  const { budgets, guard } = deps;
  const chat = deps.chat ? new BudgetedChat(deps.chat, guard, deps.price, settings.estimateOutputTokens) : null;
  const pool = new AgentPool(agents, deps.events, deps.clock, { capacity: settings.poolSize, idleMs: settings.idleMs });
  const service = new AgentService({
    specialties: deps.specialties ?? loadSpecialties(),
    pool,
    chat,
    queries: { executions: deps.executions, audit: deps.audit },
    clock: deps.clock,
    logger: deps.logger,
    maxTurns: settings.maxTurns,
    inThread: (where) => agents.activeInThread(where),
    beforeSpawn: (owner) => reportBreach(deps.events, owner, checkAgentLimit(budgets, agents, owner)),
    routes: new RunRouteRepository(deps.database),
  });
  return { service, pool, agents, budgets, guard, chat };
}
