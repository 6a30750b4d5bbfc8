import { type Clock, clockTimeout } from "../clock.js";
import { accessOf } from "../commands/commands.js";
import { LlmError } from "../llm/errors.js";
import type { LlmMeter } from "../llm/meter.js";
import type { LlmMessage, LlmProvider, LlmRequest, LlmResponse } from "../llm/provider.js";
import type { ProviderHealth } from "../llm/provider-health.js";
import { addUsage, EMPTY_TOTALS } from "../llm/usage.js";
import type { Logger } from "../logger.js";
import { CLARIFY_TOOL, readToolCall, type ToolCallReading, toolsFor } from "./command-tools.js";
import { answersQuestion, ROUTER_SYSTEM_PROMPT, routingContext, routingMessage } from "./router-prompt.js";
import { looksLikeSteering } from "./rules.js";
import type { CommandRouter, RouteContext, RouteResult, RouteUsage, ThreadTurn } from "./types.js";

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
    if (this.options.providers.length === 0) return rules;
    const thread = await this.thread(context);
    const answering = answersQuestion(thread, this.options.clock.now());
    // An answer to baton's question is read with the question, never on its own by the fast path.
    const confident = rules.kind === "command" && rules.confidence >= this.options.fastPathConfidence;
    if (confident && !answering) return rules;
    const tally = new RouteTally();
    const deadline = new Deadline(this.options.deadlineMs, this.options.clock);
    try {
      const request = this.request(text, context, thread, answering, deadline.signal);
      for (const provider of this.options.providers) {
        const answer = await this.tryProvider(provider, request, context, tally, deadline);
        if (answer) return { ...this.guarded(answer, text), usage: tally.usage() };
        if (deadline.signal.aborted) break;
      }
      return { ...rules, usage: tally.usage() };
    } finally {
      deadline.end();
    }
  }

  /** The conversation so far; routing goes on without it when it cannot be read. */
  private async thread(context: RouteContext): Promise<ThreadTurn[]> {
    try {
      return (await context.loadThread?.()) ?? [];
    } catch (error) {
      this.options.logger.warn("could not read the conversation; routing without it", { error });
      return [];
    }
  }

  /** What a model made of text that tries to steer it is confirmed by a person before it changes anything. */
  private guarded(answer: RouteResult, text: string): RouteResult {
    if (answer.kind !== "command" || accessOf(answer.command) === "read" || !looksLikeSteering(text)) return answer;
    return { ...answer, confirm: true };
  }

  private request(
    text: string,
    context: RouteContext,
    thread: ThreadTurn[],
    answering: boolean,
    signal: AbortSignal,
  ): LlmRequest {
    return {
      system: ROUTER_SYSTEM_PROMPT,
      context: routingContext(context),
      tools: toolsFor(context.permitted),
      toolChoice: "required",
      messages: [{ role: "user", content: routingMessage(text, thread, answering) }],
      signal,
    };
  }

  private async tryProvider(
    provider: LlmProvider,
    request: LlmRequest,
    context: RouteContext,
    tally: RouteTally,
    deadline: Deadline,
  ): Promise<RouteResult | null> {
    const { health, logger } = this.options;
    if (!health.available(provider.name)) {
      logger.info("skipping an LLM provider that is resting", { provider: provider.name });
      return null;
    }
    let attempt = await this.attempt(provider, request, context, tally);
    if (attempt.kind === "failed" && (await this.waitRetryAfter(attempt.error, deadline))) {
      attempt = await this.attempt(provider, request, context, tally);
    }
    return this.conclude(provider, attempt, deadline);
  }

  private conclude(provider: LlmProvider, attempt: Attempt, deadline: Deadline): RouteResult | null {
    const { health, logger } = this.options;
    if (attempt.kind === "failed") {
      if (countsAgainst(attempt.error, deadline)) health.failed(provider.name, attempt.error);
      else health.released(provider.name);
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

  /** Waits out a short retry-after that ends well inside the deadline; true when the same provider may go again. */
  private async waitRetryAfter(error: LlmError, deadline: Deadline): Promise<boolean> {
    const wait = error.retryAfterMs;
    if (!error.retryable || wait === null || wait > this.options.maxRetryWaitMs) return false;
    // Waiting must leave time for the call itself; otherwise the next provider gets the time.
    if (wait * 2 > deadline.remainingMs()) return false;
    // A deadline that passes during the wait ends it early; the check below then says so.
    await this.options.clock.sleep(wait, deadline.signal).catch(() => undefined);
    return !deadline.signal.aborted;
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
      if (reading.kind !== "invalid") tally.provider = provider.name;
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
  // Anthropic rejects an empty assistant turn before the last message: say what happened instead.
  const said = response.text?.trim() || "(no tool call)";
  if (!call)
    return [
      { role: "assistant", content: said },
      { role: "user", content: instruction },
    ];
  return [
    { role: "assistant", content: response.text ?? "", toolCalls: [call] },
    { role: "tool", toolCallId: call.id, content: instruction, isError: true },
  ];
}

/**
 * Whether a failure says something about the provider's health: a passed deadline does not, and
 * neither does a 400/413 (that request's own fault — one oversized message must not switch off
 * LLM routing for everyone).
 */
function countsAgainst(error: LlmError, deadline: Deadline): boolean {
  if (deadline.signal.aborted || error.code === "cancelled" || error.code === "budget_exceeded") return false;
  return !(error.code === "bad_request" && (error.status === 400 || error.status === 413));
}

/** One request's time budget across every provider and wait, on the router's clock. */
class Deadline {
  private readonly timeout: { signal: AbortSignal; cancel(): void };
  private readonly endsAt: number;

  constructor(
    ms: number,
    private readonly clock: Clock,
  ) {
    this.endsAt = clock.now().getTime() + ms;
    this.timeout = clockTimeout(clock, ms, () => new Error(`The LLM router's ${ms} ms deadline passed.`));
  }

  get signal(): AbortSignal {
    return this.timeout.signal;
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - this.clock.now().getTime());
  }

  /** The request is answered: the timer goes. */
  end(): void {
    this.timeout.cancel();
  }
}

function asLlmError(provider: LlmProvider, error: unknown): LlmError {
  if (error instanceof LlmError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new LlmError({ code: "invalid_response", provider: provider.name, message, cause: error });
}
