import type {
  DigestDeliveryRecord,
  FailedExecution,
  Period,
  Requester,
} from "../../db/repositories/digest-repository.js";
import type { OrchestratorRunRecord } from "../../db/repositories/orchestrator-run-repository.js";
import type { ScheduleFire } from "../../db/repositories/schedule-repository.js";

/**
 * The status digest's data for one period, composed by `composeDigest` and rendered by the bot
 * (Block Kit, Discord embed, console text) from the platform-neutral Reply.
 *
 * Sections that need the budgets/feedback/patterns issue's tables (spend against a budget limit,
 * feedback awaiting review, recognised patterns) are not part of it yet.
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
}
