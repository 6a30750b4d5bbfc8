import type { Clock } from "../clock.js";
import type { LlmConfig, LlmProviderName, ModelPrice } from "../config-llm.js";
import { BudgetedMeter, type RoutingBudgets } from "../llm/budgeted-meter.js";
import { type ChatModel, ProviderChat } from "../llm/chat-model.js";
import type { LlmProvider } from "../llm/provider.js";
import { ProviderHealth, type ProviderHealthSnapshot } from "../llm/provider-health.js";
import type { UsageLedger } from "../llm/usage.js";
import type { Logger } from "../logger.js";
import { LlmCommandRouter } from "./llm-router.js";
import { RulesRouter } from "./rules.js";
import type { CommandRouter } from "./types.js";

export interface RouterSetup {
  router: CommandRouter;
  /** The providers as one chat model for specialist agents and the improver; null without one. */
  chat: ChatModel | null;
  /** A model's price (LLM_PRICES and the defaults), for budget estimates. */
  price: (model: string) => ModelPrice | undefined;
  /** e.g. "anthropic (claude-haiku-4-5) → openai (gpt-4.1-mini) → rules" */
  description: string;
  health(): ProviderHealthSnapshot[];
}

/** A provider's SDK is loaded only when it is configured: without keys, baton never pays for it. */
async function createProvider(name: Exclude<LlmProviderName, "rules">, config: LlmConfig): Promise<LlmProvider | null> {
  const settings = config[name];
  if (!settings) return null;
  if (name === "anthropic") {
    const { AnthropicProvider } = await import("../llm/providers/anthropic.js");
    return new AnthropicProvider(settings);
  }
  const { OpenAiProvider } = await import("../llm/providers/openai.js");
  return new OpenAiProvider(settings);
}

/** The configured chain: LLM providers in LLM_PROVIDERS order, then the offline rules router. */
export async function createRouter(
  config: LlmConfig,
  deps: {
    ledger: UsageLedger;
    clock: Clock;
    logger: Logger;
    threshold: number;
    /** Routing calls reserve their estimated cost against these budgets (absent: metered only). */
    budgets?: RoutingBudgets;
  },
): Promise<RouterSetup> {
  const rules = new RulesRouter({ threshold: deps.threshold });
  const names = config.providers.filter((name): name is Exclude<LlmProviderName, "rules"> => name !== "rules");
  const providers = (await Promise.all(names.map((name) => createProvider(name, config)))).filter(
    (provider): provider is LlmProvider => provider !== null,
  );
  const health = new ProviderHealth(deps.clock, config.cooldownFailures, config.cooldownMs);
  const meter = new BudgetedMeter(deps.ledger, config.prices, deps.clock, deps.logger, deps.budgets);
  const router = new LlmCommandRouter({
    providers,
    rules,
    meter,
    health,
    clock: deps.clock,
    logger: deps.logger,
    fastPathConfidence: config.fastPathConfidence,
    deadlineMs: config.deadlineMs,
    maxRetryWaitMs: config.maxRetryWaitMs,
  });
  const description = [...providers.map((p) => `${p.name} (${p.model})`), "rules (offline)"].join(" → ");
  const chat = providers.length > 0 ? new ProviderChat(providers, meter, health, deps.logger) : null;
  return {
    router,
    chat,
    price: (model) => meter.price(model),
    description,
    health: () => health.snapshot(providers.map((p) => p.name)),
  };
}
