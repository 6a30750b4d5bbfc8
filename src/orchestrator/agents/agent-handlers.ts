import type { CommandOf } from "../../commands/commands.js";
import type { RequestContext } from "../../commands/context.js";
import type { AgentRepository } from "../../db/repositories/agent-repository.js";
import type { Handlers } from "../handlers/handler.js";
import { type AgentResult, agentSummary } from "../results-agents.js";
import { type AgentService, contextOf } from "./agent-service.js";
import type { AgentPool } from "./pool.js";

export interface AgentHandlerDeps {
  service: AgentService;
  pool: AgentPool;
  agents: AgentRepository;
}

/** ask and the agent commands: specialist agents from the pool. */
export function agentHandlers(deps: AgentHandlerDeps): Handlers<"ask" | "agent.list" | "agent.spawn" | "agent.retire"> {
  return {
    ask: (command, context) => askAgent(command, context, deps),
    "agent.list": () => listAgents(deps),
    "agent.spawn": (command, context) => spawnAgent(command, context, deps),
    "agent.retire": (command) => retireAgent(command, deps),
  };
}

async function askAgent(
  command: CommandOf<"ask">,
  context: RequestContext,
  deps: AgentHandlerDeps,
): Promise<AgentResult> {
  const { agent, answer } = await deps.service.ask(command.question, command.specialty, context);
  return { type: "ask", agent: agentSummary(agent, deps.pool.isLive(agent.id)), answer };
}

async function spawnAgent(
  command: CommandOf<"agent.spawn">,
  context: RequestContext,
  deps: AgentHandlerDeps,
): Promise<AgentResult> {
  const goal = command.context?.trim() || `help ${context.actor.name} as ${command.specialty}`;
  const agent = await deps.service.spawn(command.specialty, contextOf(context, goal));
  return { type: "agent.spawn", agent: agentSummary(agent, true) };
}

async function listAgents(deps: AgentHandlerDeps): Promise<AgentResult> {
  const agents = await deps.agents.active(50);
  return {
    type: "agent.list",
    agents: agents.map((agent) => agentSummary(agent, deps.pool.isLive(agent.id))),
    specialties: [...deps.service.specialties.all.values()].map((s) => ({ name: s.name, purpose: s.purpose })),
  };
}

async function retireAgent(command: CommandOf<"agent.retire">, deps: AgentHandlerDeps): Promise<AgentResult> {
  const agent = await deps.pool.retire(command.agent, "retired");
  return { type: "agent.retire", agent: agentSummary(agent, false) };
}
