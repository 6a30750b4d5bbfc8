import type {
  DigestDeliveryRecord,
  FailedExecution,
  Period,
  Requester,
} from "../../db/repositories/digest-repository.js";
import type { OrchestratorRunRecord } from "../../db/repositories/orchestrator-run-repository.js";
import type { ScheduleFire } from "../../db/repositories/schedule-repository.js";
import type { ExecutionDetail } from "../results.js";
import type { BudgetStanding, RecognisedPattern } from "./insights.js";

/**
 * The status digest's data for one period, composed by `composeDigest` and rendered by the bot
 * (Block Kit, Discord embed, console text) from the platform-neutral Reply.
 */
export interface Digest {
  period: Period;
  composedAt: Date;
  timeZone: string;
  runs: {
    started: number;
    byStatus: Record<string, number>;
  };
  /** Failed runs of the period, newest first (shown before everything else). */
  failures: FailedExecution[];
  approvalsWaiting: Array<{
    id: string;
    workflowName: string;
    stepId: string | null;
    since: Date;
    deadline: string | null;
  }>;
  spend: {
    /** LLM spend per day, oldest first, the last day being today (in `timeZone`). */
    days: Array<{ day: string; usd: number }>;
    periodUsd: number;
    weekUsd: number;
    sparkline: string;
  };
  requests: number;
  topRequesters: Requester[];
  /** Earlier digests that could not be delivered (reported once, in the next delivered digest). */
  undelivered: DigestDeliveryRecord[];
  /** Schedule fires that failed or were skipped in the period. */
  troubledFires: ScheduleFire[];
  lastRun: OrchestratorRunRecord | null;
  /** Spend against budgets today: the global budget, then scopes near or over their daily limit. */
  budgets: { day: string; standings: BudgetStanding[] };
  /** Feedback nobody has acted on yet: the count and the oldest few. */
  feedback: {
    awaiting: number;
    oldest: Array<{ id: number; executionId: string | null; workflowName: string | null; text: string }>;
  };
  /** Request shapes recognised as habits in the period, newest first. */
  patterns: RecognisedPattern[];
  activeAgents: number;
}

/** A delivery's outcome as the reply and status report it. */
export interface DeliveryReport {
  platform: string;
  channel: string;
  idempotencyKey: string;
  status: "delivered" | "failed" | "duplicate";
  attempts: number;
  messageId: string | null;
  error: string | null;
}

/**
 * Posting a digest to a platform channel, injected at the composition root (src/app.ts) so the
 * orchestrator never imports the bot: the bot side renders the Digest and calls the platform's
 * ChannelPublisher. The same idempotency key is used on every retry of one delivery.
 */
export interface DigestDelivery {
  platforms(): string[];
  deliver(
    digest: Digest,
    target: { platform: string; channel: string },
    options: { idempotencyKey: string },
  ): Promise<{ messageId: string }>;
  /** A scheduled run's report: its outcome, the approval it waits for (with its buttons), or its error. */
  deliverRun(
    detail: ExecutionDetail,
    target: { platform: string; channel: string },
    options: { idempotencyKey: string },
  ): Promise<{ messageId: string }>;
}
