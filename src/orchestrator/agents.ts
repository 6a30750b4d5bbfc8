import { z } from "zod";
import { BatonError } from "../errors.js";
import type { Tool } from "./tools/types.js";

/** What an `agent` step asks a specialist. */
export interface AgentRequest {
  specialty: string;
  prompt: string;
  executionId: string;
  signal: AbortSignal;
}

export interface AgentAnswer {
  text: string;
  provider: string;
  model: string;
}

/**
 * The seam `agent` steps run through: AgentService (src/orchestrator/agents/agent-service.ts)
 * answers them with specialist agents from the pool, behind budgets.
 */
export interface AgentRunner {
  answer(request: AgentRequest): Promise<AgentAnswer>;
}

const AgentArgs = z.object({ specialty: z.string().min(1), prompt: z.string().min(1).max(20_000) });

/**
 * An agent step as a tool, so it gets the same attempts, retries and timeout as any step. An LLM
 * call has no side effects outside baton, so a cut-off agent step may run again after a restart.
 */
export function agentTool(agents: AgentRunner | null, executionId: string): Tool<z.infer<typeof AgentArgs>> {
  return {
    name: "agent",
    description: "Asks a specialist agent.",
    idempotent: true,
    args: AgentArgs,
    run: async (args, { signal }) => {
      if (!agents) {
        throw new BatonError(
          "agent_unavailable",
          "Agent steps need an LLM provider: set ANTHROPIC_API_KEY, OPENAI_API_KEY or OPENAI_BASE_URL and restart baton.",
        );
      }
      const answer = await agents.answer({ ...args, executionId, signal });
      return { text: answer.text, provider: answer.provider, model: answer.model };
    },
  };
}
