import type { ModelPrice } from "../config-llm.js";
import type { LlmPurpose, LlmUsage } from "./provider.js";

/** One LLM call as the ledger records it. */
export interface LlmCallRecord {
  at: Date;
  provider: string;
  model: string;
  purpose: LlmPurpose;
  usage: LlmUsage;
  /** Null when the model has no price in the table (LLM_PRICES). */
  costUsd: number | null;
  latencyMs: number;
  outcome: "ok" | "invalid" | "error";
  errorCode: string | null;
  auditId: number | null;
  executionId: string | null;
  agentId: string | null;
  actorId: string | null;
}

/** Where calls are recorded (the database's ledger; a list in tests). */
export interface UsageLedger {
  record(call: LlmCallRecord): Promise<void>;
}

export interface UsageTotals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

export const NO_USAGE: LlmUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0 };

/** Cost in USD from a per-million-token price; cached reads and cache writes at their own rates. */
export function costOf(usage: LlmUsage, price: ModelPrice | undefined): number | null {
  if (!price) return null;
  const perToken = (rate: number, tokens: number) => (rate * tokens) / 1_000_000;
  return (
    perToken(price.input, usage.inputTokens) +
    perToken(price.output, usage.outputTokens) +
    perToken(price.cachedInput ?? price.input, usage.cachedInputTokens) +
    perToken(price.cacheWrite ?? price.input, usage.cacheWriteTokens)
  );
}

export function addUsage(totals: UsageTotals, call: LlmCallRecord): UsageTotals {
  return {
    calls: totals.calls + 1,
    inputTokens: totals.inputTokens + call.usage.inputTokens,
    outputTokens: totals.outputTokens + call.usage.outputTokens,
    cachedInputTokens: totals.cachedInputTokens + call.usage.cachedInputTokens,
    cacheWriteTokens: totals.cacheWriteTokens + call.usage.cacheWriteTokens,
    costUsd: totals.costUsd + (call.costUsd ?? 0),
  };
}

export const EMPTY_TOTALS: UsageTotals = {
  calls: 0,
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  costUsd: 0,
};
