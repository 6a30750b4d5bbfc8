import type { Clock } from "../clock.js";
import type { ModelPrice } from "../config-llm.js";
import type { Logger } from "../logger.js";
import { estimateCall, type SpendGuard, type SpendReservation } from "./budgeted-chat.js";
import { LlmError } from "./errors.js";
import { type CallPurpose, LlmMeter } from "./meter.js";
import type { LlmProvider, LlmRequest, LlmResponse } from "./provider.js";
import type { LlmCallRecord, UsageLedger } from "./usage.js";

/** The budgets routing calls reserve against, and the output tokens each call is estimated at. */
export interface RoutingBudgets {
  guard: SpendGuard;
  outputTokens: number;
}

/**
 * The ledger plus budgets for routing calls: each one reserves its estimate on the provider it is
 * about to try (global and user scopes) and settles the actual cost. Agent and improver calls are
 * reserved by BudgetedChat before they reach the meter, so they pass straight through here. A
 * refusal is an LlmError `budget_exceeded`, which the router treats as "try the next one" without
 * holding it against the provider; the offline rules router is the last resort.
 */
export class BudgetedMeter extends LlmMeter {
  private readonly guard: SpendGuard | null;
  private readonly outputTokens: number;

  /** Without `budgets`, routing calls are metered but not held to a budget. */
  constructor(
    ledger: UsageLedger,
    prices: Readonly<Record<string, ModelPrice>>,
    clock: Clock,
    logger: Logger,
    budgets?: RoutingBudgets,
  ) {
    super(ledger, prices, clock, logger);
    this.guard = budgets?.guard ?? null;
    this.outputTokens = budgets?.outputTokens ?? 1024;
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
