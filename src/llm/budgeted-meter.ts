import { estimateCall, type SpendGuard, type SpendReservation } from "./budgeted-chat.js";
import { LlmError } from "./errors.js";
import { type CallPurpose, LlmMeter } from "./meter.js";
import type { LlmProvider, LlmRequest, LlmResponse } from "./provider.js";
import type { LlmCallRecord } from "./usage.js";

/**
 * The ledger plus budgets for routing calls: each one reserves its estimate on the provider it is
 * about to try (global and user scopes) and settles the actual cost. Agent and improver calls are
 * reserved by BudgetedChat before they reach the meter, so they pass straight through here. A
 * refusal is an LlmError `budget_exceeded`, which the router treats as "try the next one" without
 * holding it against the provider; the offline rules router is the last resort.
 */
export class BudgetedMeter extends LlmMeter {
  private guard: SpendGuard | null = null;
  private outputTokens = 1024;

  /** Budgets live in the orchestrator, which is built after the router: they are attached here. */
  useBudgets(guard: SpendGuard, outputTokens: number): void {
    this.guard = guard;
    this.outputTokens = outputTokens;
  }

  override async complete(
    provider: LlmProvider,
    request: LlmRequest,
    purpose: CallPurpose,
    judge: (response: LlmResponse) => "ok" | "invalid",
  ): Promise<{ response: LlmResponse; record: LlmCallRecord }> {
    if (!this.guard || purpose.purpose !== "route") return super.complete(provider, request, purpose, judge);
    const reservation = await this.reserve(this.guard, provider, request, purpose);
    let actual = 0;
    try {
      const result = await super.complete(provider, request, purpose, judge);
      actual = result.record.costUsd ?? 0;
      return result;
    } finally {
      await reservation.settle(actual);
    }
  }

  private async reserve(
    guard: SpendGuard,
    provider: LlmProvider,
    request: LlmRequest,
    purpose: CallPurpose,
  ): Promise<SpendReservation> {
    const estimate = estimateCall(request, provider.model, this.price(provider.model), this.outputTokens);
    try {
      return await guard.reserve({ ...purpose, route: [provider.name], channel: null }, estimate);
    } catch (error) {
      if ((error as { code?: unknown }).code !== "budget_exceeded") throw error;
      throw new LlmError({
        code: "budget_exceeded",
        provider: provider.name,
        message: (error as Error).message,
        cause: error,
      });
    }
  }
}
