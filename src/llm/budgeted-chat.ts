import type { ModelPrice } from "../config-llm.js";
import type { ChatAnswer, ChatCall, ChatModel } from "./chat-model.js";
import type { LlmProvider, LlmRequest } from "./provider.js";
import { costOf } from "./usage.js";

/** What a call is expected to cost, reserved before it is made. */
export interface CallEstimate {
  model: string;
  inputTokens: number;
  outputTokens: number;
  usd: number;
}

/** Budgets as the LLM layer sees them: reserve before a call (or throw), settle after it. */
export interface SpendGuard {
  reserve(call: ChatCall, estimate: CallEstimate): Promise<SpendReservation>;
}

export interface SpendReservation {
  settle(actualUsd: number): Promise<void>;
}

/** About four characters a token for English and JSON; an estimate only has to be in the right range. */
const CHARS_PER_TOKEN = 4;

/**
 * Wraps a ChatModel with budgets (vercel/ai's wrap-language-model idea; providers know nothing of
 * budgets): each call's cost is estimated and reserved first, and the actual cost settles after,
 * failed calls releasing their reservation.
 */
export class BudgetedChat implements ChatModel {
  constructor(
    private readonly inner: ChatModel,
    private readonly guard: SpendGuard,
    private readonly price: (model: string) => ModelPrice | undefined,
    private readonly outputTokens: number,
  ) {}

  candidates(route: readonly string[], exclusive?: boolean): readonly LlmProvider[] {
    return this.inner.candidates(route, exclusive);
  }

  async complete(request: LlmRequest, call: ChatCall): Promise<ChatAnswer> {
    const estimate = this.estimate(request, call);
    const reservation = await this.guard.reserve(call, estimate);
    let actual = 0;
    try {
      const answer = await this.inner.complete(request, call);
      actual = costOf(answer.response.usage, this.price(answer.response.model)) ?? 0;
      return answer;
    } finally {
      await reservation.settle(actual);
    }
  }

  /** Priced at the most expensive model the call might fall back to, so fallback never overspends. */
  estimate(request: LlmRequest, call: ChatCall): CallEstimate {
    let worst: CallEstimate | null = null;
    for (const provider of this.inner.candidates(call.route, call.exclusive)) {
      const estimate = estimateCall(request, provider.model, this.price(provider.model), this.outputTokens);
      if (worst === null || estimate.usd > worst.usd) worst = estimate;
    }
    return worst ?? estimateCall(request, "unknown", undefined, this.outputTokens);
  }
}

/** A call's likely cost on one model: its prompt's size in tokens, and `outputTokens` out. */
export function estimateCall(
  request: LlmRequest,
  model: string,
  price: ModelPrice | undefined,
  outputTokens: number,
): CallEstimate {
  const text = [request.system, request.context ?? "", JSON.stringify(request.messages), JSON.stringify(request.tools)];
  const inputTokens = Math.ceil(text.join("").length / CHARS_PER_TOKEN);
  const usage = { inputTokens, outputTokens, cachedInputTokens: 0, cacheWriteTokens: 0 };
  return { model, inputTokens, outputTokens, usd: costOf(usage, price) ?? 0 };
}
