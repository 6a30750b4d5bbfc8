import { BatonError } from "../errors.js";
import type { Logger } from "../logger.js";
import { LlmError } from "./errors.js";
import type { CallPurpose, LlmMeter } from "./meter.js";
import type { LlmProvider, LlmRequest, LlmResponse } from "./provider.js";
import type { ProviderHealth } from "./provider-health.js";

/** Whom a call serves, where, and which providers it should try (a specialty's route). */
export interface ChatCall extends CallPurpose {
  /** Provider names in the order to try them; empty: the configured chain. */
  route: readonly string[];
  /** Only the route's providers, no fallback to the rest (continue on a cheaper model). */
  exclusive?: boolean;
  channel: string | null;
  /** Every user id of the person asking (linked accounts), for their user budgets. */
  actorIds?: readonly string[];
  /** The workflow of the execution the call serves, for project budgets. */
  workflow?: string | null;
}

export interface ChatAnswer {
  response: LlmResponse;
  provider: string;
}

/** What agents and the improver talk to: one completion through whichever provider answers. */
export interface ChatModel {
  complete(request: LlmRequest, call: ChatCall): Promise<ChatAnswer>;
  /** The providers a call with this route would try, in order (budgets estimate with the first). */
  candidates(route: readonly string[], exclusive?: boolean): readonly LlmProvider[];
}

/**
 * The configured providers as one ChatModel: the route's providers first (then the rest of the
 * chain), skipping any in cooldown, each call metered in the ledger.
 */
export class ProviderChat implements ChatModel {
  constructor(
    private readonly providers: readonly LlmProvider[],
    private readonly meter: LlmMeter,
    private readonly health: ProviderHealth,
    private readonly logger: Logger,
  ) {}

  candidates(route: readonly string[], exclusive = false): readonly LlmProvider[] {
    if (exclusive) return this.providers.filter((p) => route.includes(p.name));
    const rank = (p: LlmProvider) => {
      const index = route.indexOf(p.name);
      return index === -1 ? route.length : index;
    };
    return [...this.providers].sort((a, b) => rank(a) - rank(b));
  }

  async complete(request: LlmRequest, call: ChatCall): Promise<ChatAnswer> {
    let last: LlmError | null = null;
    for (const provider of this.candidates(call.route, call.exclusive)) {
      if (!this.health.available(provider.name)) continue;
      try {
        const { response } = await this.meter.complete(provider, request, call, (r) =>
          r.text || r.toolCalls.length > 0 ? "ok" : "invalid",
        );
        this.health.succeeded(provider.name);
        return { response, provider: provider.name };
      } catch (error) {
        if (!(error instanceof LlmError)) throw error;
        last = error;
        if (error.code === "cancelled") throw error;
        this.health.failed(provider.name, error);
        this.logger.warn("an LLM provider could not answer an agent", { provider: provider.name, code: error.code });
      }
    }
    throw new BatonError("agent_unavailable", `No LLM provider could answer${last ? `: ${last.message}` : "."}`, {
      retryable: true,
      ...(last !== null && { cause: last }),
    });
  }
}
