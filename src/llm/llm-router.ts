import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import { CLARIFY_TOOL, COMMAND_TOOLS, readToolCall, type ToolCallReading } from "./command-tools.js";
import { LlmError } from "./errors.js";
import type { LlmMeter } from "./meter.js";
import type { LlmMessage, LlmProvider, LlmRequest, LlmResponse } from "./provider.js";
import type { ProviderHealth } from "./provider-health.js";
import { ROUTER_SYSTEM_PROMPT, routingContext } from "./router-prompt.js";
import type { CommandRouter, RouteContext, RouteResult, RouteUsage } from "./types.js";
import { addUsage, EMPTY_TOTALS } from "./usage.js";

export interface LlmRouterOptions {
  /** In fallback order. The rules router is not among them: it is `rules`, always last. */
  providers: LlmProvider[];
  rules: CommandRouter;
  meter: LlmMeter;
  health: ProviderHealth;
  clock: Clock;
  logger: Logger;
  /** Rules results at or above this confidence never call an LLM (the fast path). */
  fastPathConfidence: number;
  /** The whole routing of one request, every provider and wait included. */
  deadlineMs: number;
  /** A retry-after at most this long is waited out on the same provider; longer ones move on. */
  maxRetryWaitMs: number;
}

type Attempt =
  | { kind: "done"; reading: Exclude<ToolCallReading, { kind: "invalid" }> }
  | { kind: "invalid"; problem: string }
  | { kind: "failed"; error: LlmError };

/** Tracks one request's calls: totals for the audit row, and which provider answered. */
class RouteTally {
  totals = EMPTY_TOTALS;
  provider: string | null = null;
  private readonly started = performance.now();

  usage(): RouteUsage {
    return { provider: this.provider, latencyMs: performance.now() - this.started, totals: this.totals };
  }
}

/**
 * Natural language → Command through LLM tool calling, with the rules router as both the fast path
 * (confident rules never call an LLM) and the last link of the fallback chain. It only proposes: the
 * dispatcher's policy and confirmation decide what runs.
 */
export class LlmCommandRouter implements CommandRouter {
  constructor(private readonly options: LlmRouterOptions) {}

  async route(text: string, context: RouteContext): Promise<RouteResult> {
    const rules = await this.options.rules.route(text, context);
    const confident = rules.kind === "command" && rules.confidence >= this.options.fastPathConfidence;
    if (confident || this.options.providers.length === 0) return rules;
    const tally = new RouteTally();
    const signal = AbortSignal.timeout(this.options.deadlineMs);
    const request = await this.request(text, context, signal);
    for (const provider of this.options.providers) {
      const answer = await this.tryProvider(provider, request, context, tally, signal);
      if (answer) return { ...answer, usage: tally.usage() };
      if (signal.aborted) break;
    }
    return { ...rules, usage: tally.usage() };
  }

  private async request(text: string, context: RouteContext, signal: AbortSignal): Promise<LlmRequest> {
    const thread = (await context.loadThread?.()) ?? [];
    return {
      system: ROUTER_SYSTEM_PROMPT,
      context: routingContext(context, thread),
      tools: [...COMMAND_TOOLS],
      toolChoice: "required",
      messages: [{ role: "user", content: text }],
      signal,
    };
  }

  private async tryProvider(
    provider: LlmProvider,
    request: LlmRequest,
    context: RouteContext,
    tally: RouteTally,
    signal: AbortSignal,
  ): Promise<RouteResult | null> {
    const { health, logger } = this.options;
    if (!health.available(provider.name)) {
      logger.info("skipping an LLM provider that is resting", { provider: provider.name });
      return null;
    }
    let attempt = await this.attempt(provider, request, context, tally);
    if (attempt.kind === "failed" && (await this.waitRetryAfter(attempt.error, signal))) {
      attempt = await this.attempt(provider, request, context, tally);
    }
    return this.conclude(provider, attempt);
  }

  private conclude(provider: LlmProvider, attempt: Attempt): RouteResult | null {
    const { health, logger } = this.options;
    if (attempt.kind === "failed") {
      // Running out of this request's deadline says nothing about the provider's health.
      if (attempt.error.code !== "cancelled") health.failed(provider.name, attempt.error);
      const log = attempt.error.retryable ? logger.warn : logger.error;
      log("LLM provider failed; trying the next one", {
        provider: provider.name,
        code: attempt.error.code,
        status: attempt.error.status,
        message: attempt.error.message,
      });
      return null;
    }
    health.succeeded(provider.name);
    if (attempt.kind === "invalid") {
      logger.warn("LLM gave no valid command after a repair attempt", {
        provider: provider.name,
        problem: attempt.problem,
      });
      return null;
    }
    const resolvedBy = `llm:${provider.name}` as const;
    const { reading } = attempt;
    return reading.kind === "clarify"
      ? { kind: "clarify", question: reading.question, resolvedBy }
      : // A validated tool call; models report no calibrated confidence, so it counts as certain.
        { kind: "command", command: reading.command, confidence: 1, resolvedBy };
  }

  /** Waits out a short retry-after within the deadline; true when the same provider may go again. */
  private async waitRetryAfter(error: LlmError, signal: AbortSignal): Promise<boolean> {
    const wait = error.retryAfterMs;
    if (!error.retryable || wait === null || wait > this.options.maxRetryWaitMs) return false;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(!signal.aborted), wait);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
  }

  /** One call, and at most one repair call carrying the validation error back to the model. */
  private async attempt(
    provider: LlmProvider,
    base: LlmRequest,
    context: RouteContext,
    tally: RouteTally,
  ): Promise<Attempt> {
    let request = base;
    let problem = "";
    for (let turn = 0; turn < 2; turn += 1) {
      const result = await this.call(provider, request, context, tally);
      if ("error" in result) return { kind: "failed", error: result.error };
      if (result.reading.kind !== "invalid") return { kind: "done", reading: result.reading };
      problem = result.reading.problem;
      request = { ...request, messages: [...request.messages, ...repairMessages(result.response, problem)] };
    }
    return { kind: "invalid", problem };
  }

  private async call(
    provider: LlmProvider,
    request: LlmRequest,
    context: RouteContext,
    tally: RouteTally,
  ): Promise<{ response: LlmResponse; reading: ToolCallReading } | { error: LlmError }> {
    const purpose = { purpose: "route" as const, auditId: context.auditId ?? null, actorId: context.actorId };
    let reading: ToolCallReading = { kind: "invalid", problem: "no tool was called" };
    try {
      const { response, record } = await this.options.meter.complete(provider, request, purpose, (answer) => {
        reading = readFirstCall(answer);
        return reading.kind === "invalid" ? "invalid" : "ok";
      });
      tally.totals = addUsage(tally.totals, record);
      tally.provider = provider.name;
      return { response, reading };
    } catch (error) {
      return { error: asLlmError(provider, error) };
    }
  }
}

function readFirstCall(response: LlmResponse): ToolCallReading {
  const [call] = response.toolCalls;
  if (!call) return { kind: "invalid", problem: "no tool was called; you must call exactly one tool" };
  return readToolCall(call);
}

/** The assistant's turn as it was, then the problem, so the model can correct itself once. */
function repairMessages(response: LlmResponse, problem: string): LlmMessage[] {
  const [call] = response.toolCalls;
  const instruction = `That was not a valid command: ${problem}. Call one tool again with corrected arguments, or ${CLARIFY_TOOL}.`;
  if (!call)
    return [
      { role: "assistant", content: response.text ?? "" },
      { role: "user", content: instruction },
    ];
  return [
    { role: "assistant", content: response.text ?? "", toolCalls: [call] },
    { role: "tool", toolCallId: call.id, content: instruction, isError: true },
  ];
}

function asLlmError(provider: LlmProvider, error: unknown): LlmError {
  if (error instanceof LlmError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new LlmError({ code: "invalid_response", provider: provider.name, message, cause: error });
}
