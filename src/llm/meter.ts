import type { Clock } from "../clock.js";
import type { ModelPrice } from "../config-llm.js";
import type { Logger } from "../logger.js";
import { LlmError } from "./errors.js";
import type { LlmProvider, LlmPurpose, LlmRequest, LlmResponse } from "./provider.js";
import { costOf, type LlmCallRecord, NO_USAGE, type UsageLedger } from "./usage.js";

const DATED = /^-(\d{8}|\d{4}-\d{2}-\d{2}|latest)$/;

/** Whom a call serves, for the ledger. */
export interface CallPurpose {
  purpose: LlmPurpose;
  auditId: number | null;
  actorId: string | null;
  executionId?: string | null;
  agentId?: string | null;
}

/**
 * Wraps provider calls with the usage and cost ledger (vercel/ai's wrap-language-model idea): every
 * call is a row, failed ones included, with tokens, cost and latency.
 */
export class LlmMeter {
  private readonly unpriced = new Set<string>();

  constructor(
    private readonly ledger: UsageLedger,
    private readonly prices: Readonly<Record<string, ModelPrice>>,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Calls the provider and records the call; `judge` says whether a good answer came back. */
  async complete(
    provider: LlmProvider,
    request: LlmRequest,
    purpose: CallPurpose,
    judge: (response: LlmResponse) => "ok" | "invalid",
  ): Promise<{ response: LlmResponse; record: LlmCallRecord }> {
    const started = performance.now();
    try {
      const response = await provider.complete(request);
      const record = this.record(provider, response.model, purpose, started, { response, outcome: judge(response) });
      await this.save(record);
      return { response, record };
    } catch (error) {
      const code = error instanceof LlmError ? error.code : "invalid_response";
      await this.save(this.record(provider, provider.model, purpose, started, { outcome: "error", errorCode: code }));
      throw error;
    }
  }

  private record(
    provider: LlmProvider,
    model: string,
    purpose: CallPurpose,
    started: number,
    result: { response?: LlmResponse; outcome: LlmCallRecord["outcome"]; errorCode?: string },
  ): LlmCallRecord {
    const usage = result.response?.usage ?? NO_USAGE;
    return {
      at: this.clock.now(),
      provider: provider.name,
      model,
      purpose: purpose.purpose,
      usage,
      costUsd: costOf(usage, this.price(model)),
      latencyMs: performance.now() - started,
      outcome: result.outcome,
      errorCode: result.errorCode ?? null,
      auditId: purpose.auditId,
      executionId: purpose.executionId ?? null,
      agentId: purpose.agentId ?? null,
      actorId: purpose.actorId,
    };
  }

  /**
   * The exact model name, else a configured name plus a date suffix ("claude-haiku-4-5-20251001",
   * "gpt-4.1-mini-2025-04-14"); never a mere prefix, which would price gpt-4.1-nano as gpt-4.1.
   */
  price(model: string): ModelPrice | undefined {
    const exact = this.prices[model];
    if (exact) return exact;
    const prefix = Object.keys(this.prices).find(
      (name) => DATED.test(model.slice(name.length)) && model.startsWith(name),
    );
    if (prefix) return this.prices[prefix];
    if (!this.unpriced.has(model)) {
      this.unpriced.add(model);
      this.logger.warn("no price for this model; its calls are recorded without cost (set LLM_PRICES)", { model });
    }
    return undefined;
  }

  private async save(record: LlmCallRecord): Promise<void> {
    try {
      await this.ledger.record(record);
    } catch (error) {
      this.logger.error("could not record an LLM call in the ledger", { provider: record.provider, error });
    }
  }
}
