import { startOfDay } from "../../clock.js";
import type { DigestRepository, Period } from "../../db/repositories/digest-repository.js";
import type { ExecutionRepository } from "../../db/repositories/execution-repository.js";
import type { OrchestratorRunRepository } from "../../db/repositories/orchestrator-run-repository.js";
import type { ScheduleRepository } from "../../db/repositories/schedule-repository.js";
import { approvalOf } from "../approvals.js";
import type { Digest } from "./digest.js";
import type { Insights } from "./insights.js";
import { sparkline } from "./sparkline.js";

export interface DigestSources {
  digests: DigestRepository;
  executions: ExecutionRepository;
  schedules: ScheduleRepository;
  runs: OrchestratorRunRepository;
  /** Budgets, feedback, patterns and agents; null leaves those sections empty. */
  insights: Insights | null;
}

const DAY_MS = 24 * 3600_000;
const BATON_ACTORS = new Set(["baton", "scheduler"]);
const SPARK_DAYS = 7;
/** A fire still `claimed` after this long lost its process mid-action. */
export const STALE_CLAIM_MS = 15 * 60_000;

/** "24h", "7d", "90m" → milliseconds; anything else is the default day. */
export function periodLength(text: string | undefined): number {
  const match = /^(\d{1,4})\s*([mhd])$/i.exec(text?.trim() ?? "");
  if (!match) return DAY_MS;
  const unit = { m: 60_000, h: 3600_000, d: DAY_MS }[(match[2] ?? "d").toLowerCase() as "m" | "h" | "d"];
  return Math.max(60_000, Math.min(Number(match[1]) * unit, 90 * DAY_MS));
}

/** The last seven calendar days in `timeZone`, today last. */
export function sparkDays(now: Date, timeZone: string): Array<Period & { day: string }> {
  const days: Array<Period & { day: string }> = [];
  let end = now;
  for (let i = 0; i < SPARK_DAYS; i += 1) {
    const start = startOfDay(new Date(end.getTime() - (i === 0 ? 0 : 1)), timeZone);
    days.unshift({ start, end, day: start.toISOString().slice(0, 10) });
    end = start;
  }
  return days.map((d, i) => ({ ...d, day: dayLabel(d.start, timeZone, i === days.length - 1) }));
}

function dayLabel(at: Date, timeZone: string, today: boolean): string {
  if (today) return "today";
  return new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short" }).format(at);
}

/** Everything a digest shows for `period`, read from the audit log, executions, ledger and fires. */
export async function composeDigest(
  sources: DigestSources,
  options: { period: Period; now: Date; timeZone: string },
): Promise<Digest> {
  const { period, now, timeZone } = options;
  const days = sparkDays(now, timeZone);
  const [byStatus, failures, waiting, spend, periodSpend, byActor, undelivered, fires, lastRun, extra] =
    await Promise.all([
      sources.digests.runsByStatus(period),
      sources.digests.failures(period, 10),
      sources.executions.list({ status: "waiting", limit: 20 }),
      sources.digests.spendPerPeriod(days),
      sources.digests.spendPerPeriod([period]),
      sources.digests.requestsByActor(period),
      sources.digests.undelivered(10),
      sources.schedules.unsuccessfulFiresSince(period.start, new Date(now.getTime() - STALE_CLAIM_MS), 10),
      sources.runs.last(),
      insightsOf(sources.insights, period),
    ]);
  return {
    period,
    composedAt: now,
    timeZone,
    runs: { started: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus },
    failures,
    approvalsWaiting: waiting.map((execution) => {
      const wait = approvalOf(execution);
      return {
        id: execution.id,
        workflowName: execution.workflowName,
        stepId: wait?.stepId ?? null,
        since: execution.startedAt ?? execution.createdAt,
        deadline: wait?.deadline ?? null,
      };
    }),
    spend: {
      days: days.map((d, i) => ({ day: d.day, usd: spend[i] ?? 0 })),
      periodUsd: periodSpend[0] ?? 0,
      weekUsd: spend.reduce((a, b) => a + b, 0),
      sparkline: sparkline(spend),
    },
    requests: byActor.reduce((sum, actor) => sum + actor.requests, 0),
    // People, not baton's own actors (approval timeouts, schedules).
    topRequesters: byActor.filter((a) => !BATON_ACTORS.has(a.actorId)).slice(0, 5),
    undelivered,
    troubledFires: fires,
    lastRun,
    ...extra,
  };
}

const FEEDBACK_SHOWN = 5;

async function insightsOf(
  insights: Insights | null,
  period: Period,
): Promise<Pick<Digest, "budgets" | "feedback" | "patterns" | "activeAgents">> {
  if (!insights) {
    return {
      budgets: { day: "", standings: [] },
      feedback: { awaiting: 0, oldest: [] },
      patterns: [],
      activeAgents: 0,
    };
  }
  const [standings, feedback, patterns, activeAgents] = await Promise.all([
    insights.budgets(period.start),
    insights.feedbackAwaitingReview(200),
    insights.patternsSince(period.start),
    insights.activeAgents(),
  ]);
  return {
    budgets: { day: insights.day(), standings },
    feedback: {
      awaiting: feedback.length,
      oldest: feedback.slice(0, FEEDBACK_SHOWN).map((f) => ({
        id: f.id,
        executionId: f.executionId,
        workflowName: f.workflowName,
        text: f.text,
      })),
    },
    patterns: patterns.filter((p) => p.at <= period.end).reverse(),
    activeAgents,
  };
}
