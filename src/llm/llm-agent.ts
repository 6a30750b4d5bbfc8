import { BatonError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { AgentAnswer, AgentRequest, AgentRunner } from "../orchestrator/agents.js";
import { LlmError } from "./errors.js";
import type { LlmMeter } from "./meter.js";
import type { LlmProvider } from "./provider.js";
import type { ProviderHealth } from "./provider-health.js";

/**
 * The plain agent behind `agent` steps: one answer from the first provider of the chain that gives
 * one, charged to the execution in the ledger (purpose `agent`). The agents issue replaces it with
 * specialties from YAML, a pool and budgets, behind the same AgentRunner interface.
 */
export class LlmAgentRunner implements AgentRunner {
  constructor(
    private readonly providers: readonly LlmProvider[],
    private readonly meter: LlmMeter,
    private readonly health: ProviderHealth,
    private readonly logger: Logger,
  ) {}

  async answer(request: AgentRequest): Promise<AgentAnswer> {
    let last: LlmError | null = null;
    for (const provider of this.providers) {
      if (!this.health.available(provider.name)) continue;
      try {
        const { response } = await this.meter.complete(
          provider,
          {
            system: `You are baton's ${request.specialty} specialist, working inside a team's chat-ops workflow. Answer the request directly and concisely in plain text.`,
            tools: [],
            toolChoice: "auto",
            messages: [{ role: "user", content: request.prompt }],
            signal: request.signal,
          },
          { purpose: "agent", auditId: null, actorId: null, executionId: request.executionId },
          (answer) => (answer.text ? "ok" : "invalid"),
        );
        this.health.succeeded(provider.name);
        if (response.text) return { text: response.text, provider: provider.name, model: response.model };
      } catch (error) {
        if (!(error instanceof LlmError)) throw error;
        last = error;
        if (error.code !== "cancelled") this.health.failed(provider.name, error);
        this.logger.warn("an LLM provider could not answer an agent step", {
          provider: provider.name,
          code: error.code,
        });
      }
    }
    throw new BatonError(
      "agent_unavailable",
      `No LLM provider could answer the agent step${last ? `: ${last.message}` : "."}`,
      {
        retryable: true,
        ...(last !== null && { cause: last }),
      },
    );
  }
}
