import type { Command } from "../commands/commands.js";
import type { AuditOutcome } from "../db/repositories/audit-repository.js";
import type { BatonError, ErrorCode } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Result } from "../orchestrator/results.js";
import type { ResolvedBy, RouteUsage } from "../routing/types.js";
import { errorReply, type Reply } from "./reply.js";

export interface DispatchOutcome {
  command: Command | null;
  resolvedBy: ResolvedBy | null;
  confidence: number | null;
  outcome: AuditOutcome;
  /** The reply as it stands now; for long work, the latest update once `settled` resolves. */
  reply: Reply;
  result: Result | null;
  auditId: number | null;
  duplicate: boolean;
  /** The stable code of a refusal or failure (`denied`, `confirmation_required`…); null when it went well. */
  errorCode: string | null;
  errorMessage: string | null;
  /** The question baton asked instead of acting (a run missing its inputs); the next message answers it. */
  question?: string;
  /** Resolves when follow-up work (a workflow run's progress) has finished or waits for a person. */
  settled: Promise<{ reply: Reply; result: Result | null }>;
}

const OUTCOME_BY_CODE: Partial<Record<ErrorCode, Exclude<AuditOutcome, "pending">>> = {
  invalid_command: "invalid",
  not_found: "invalid",
  workflow_invalid: "invalid",
  denied: "denied",
  confirmation_required: "denied",
  confirmation_declined: "denied",
  unavailable: "unavailable",
};

/** Everything one request accumulates on its way through the steps. */
export class RequestState {
  command: Command | null = null;
  resolvedBy: ResolvedBy | null = null;
  confidence: number | null = null;
  outcome: Exclude<AuditOutcome, "pending"> = "ok";
  errorCode: string | null = null;
  errorMessage: string | null = null;
  executionId: string | null = null;
  result: Result | null = null;
  reply: Reply = errorReply("No reply was produced.");
  settled: Promise<{ reply: Reply; result: Result | null }> | null = null;
  usage: RouteUsage | null = null;

  constructor(readonly auditId: number) {}

  answer(reply: Reply, outcome: Exclude<AuditOutcome, "pending">, code: string, message: string): void {
    this.reply = reply;
    this.outcome = outcome;
    this.errorCode = code;
    this.errorMessage = message;
  }

  fail(error: BatonError, logger: Logger): void {
    const outcome: Exclude<AuditOutcome, "pending"> = OUTCOME_BY_CODE[error.code] ?? "error";
    if (outcome === "error")
      logger.error("request failed", { auditId: this.auditId, code: error.code, error: error.cause ?? error });
    this.answer(errorReply(error.message), outcome, error.code, error.message);
  }

  toOutcome(): DispatchOutcome {
    return {
      command: this.command,
      resolvedBy: this.resolvedBy,
      confidence: this.confidence,
      outcome: this.outcome,
      reply: this.reply,
      result: this.result,
      auditId: this.auditId,
      duplicate: false,
      errorCode: this.errorCode,
      errorMessage: this.errorMessage,
      ...(this.errorCode === "needs_clarification" && this.errorMessage !== null && { question: this.errorMessage }),
      settled: this.settled ?? Promise.resolve({ reply: this.reply, result: this.result }),
    };
  }
}

/** The audit row's LLM columns: tokens in (cached ones included) and out, and the cost. */
export function llmTotals(usage: RouteUsage) {
  const { totals } = usage;
  return {
    inputTokens: totals.inputTokens + totals.cachedInputTokens + totals.cacheWriteTokens,
    outputTokens: totals.outputTokens,
    costUsd: totals.costUsd,
  };
}

/** An outcome with no audit row of its own: a redelivered event, or a request the log refused. */
export function unauditedOutcome(
  reply: Reply,
  outcome: DispatchOutcome["outcome"],
  duplicate: boolean,
): DispatchOutcome {
  return {
    command: null,
    resolvedBy: null,
    confidence: null,
    outcome,
    reply,
    result: null,
    auditId: null,
    duplicate,
    errorCode: duplicate ? "duplicate" : "unrecorded",
    errorMessage: reply.text,
    settled: Promise.resolve({ reply, result: null }),
  };
}
