import type { Clock } from "../../clock.js";
import type { DigestRepository } from "../../db/repositories/digest-repository.js";
import type { ExecutionRecord, ExecutionRepository } from "../../db/repositories/execution-repository.js";
import type {
  OrchestratorRunRecord,
  OrchestratorRunRepository,
  StepDecision,
  StepStats,
} from "../../db/repositories/orchestrator-run-repository.js";
import type { ScheduleRepository } from "../../db/repositories/schedule-repository.js";
import { toBatonError } from "../../errors.js";
import { approvalOf } from "../approvals.js";
import type { Insights } from "../digest/insights.js";
import { newId } from "../ids.js";
import type { OrchestratorMode } from "./control-results.js";
import {
  type InsightStepDeps,
  reportBudgets,
  reportFeedback,
  reportPatterns,
  retireIdleAgents,
} from "./step-insights.js";

export interface StepDeps {
  executions: ExecutionRepository;
  digests: DigestRepository;
  runs: OrchestratorRunRepository;
  schedules: ScheduleRepository;
  /** Budgets, feedback, patterns and agents (null: the step does not look at them). */
  insights: Insights | null;
  clock: Clock;
  /** The engine's own sweep: resumes executions left behind, then settles approvals past their timeout. */
  sweep: () => Promise<void>;
  /** The most actions one step may take (BATON_STEP_MAX_ACTIONS). */
  maxActions: number;
}

export interface StepTrigger {
  /** command | schedule | continuous */
  kind: string;
  by: string;
  mode: OrchestratorMode;
}

const DAY_MS = 24 * 3600_000;

/**
 * One orchestrator step: look at the state, act within the limits, and record every decision with
 * its reason and outcome, the actions taken, and statistics before and after: approvals past their
 * timeout and stranded runs (acted on), failed runs and undelivered digests (reported), budgets near
 * their limits, feedback awaiting review and new patterns (reported), idle agents (retired).
 */
export async function runStep(deps: StepDeps, trigger: StepTrigger): Promise<OrchestratorRunRecord> {
  const startedAt = deps.clock.now();
  const statsBefore = await stats(deps);
  const previous = await deps.runs.last();
  const decisions: StepDecision[] = [];
  const actions: string[] = [];
  let outcome: "ok" | "error" = "ok";
  try {
    const idleBefore = deps.insights ? await deps.insights.idleAgents() : [];
    await actOnOverdueWork(deps, decisions, actions);
    await reportFailures(deps, decisions);
    await reportUndelivered(deps, decisions);
    if (deps.insights) {
      const insightDeps = insightStepDeps(deps, deps.insights, startedAt, previous?.startedAt ?? null);
      await reportBudgets(insightDeps, decisions);
      await reportFeedback(insightDeps, decisions);
      await reportPatterns(insightDeps, decisions);
      await retireIdleAgents(insightDeps, idleBefore, decisions, actions);
    }
    if (decisions.length === 0) {
      decisions.push({ subject: "baton", decision: "idle", reason: "Nothing needs attention.", outcome: "none" });
    }
  } catch (error) {
    outcome = "error";
    const reason = toBatonError(error).message;
    decisions.push({ subject: "step", decision: "stop", reason, outcome: "the step ended early" });
  }
  const run: OrchestratorRunRecord = {
    id: newId("or"),
    trigger: trigger.kind,
    triggeredBy: trigger.by,
    mode: trigger.mode,
    startedAt,
    finishedAt: deps.clock.now(),
    decisions,
    actions,
    statsBefore,
    statsAfter: await stats(deps),
    outcome,
  };
  await deps.runs.record(run);
  return run;
}

/** Patterns are new since the previous step (at most seven days back); refusals count for a day. */
function insightStepDeps(deps: StepDeps, insights: Insights, now: Date, previous: Date | null): InsightStepDeps {
  const weekAgo = now.getTime() - 7 * DAY_MS;
  return {
    insights,
    schedules: deps.schedules,
    maxActions: deps.maxActions,
    patternsSince: new Date(Math.max(weekAgo, previous?.getTime() ?? weekAgo)),
    refusalsSince: new Date(now.getTime() - DAY_MS),
  };
}

async function stats(deps: StepDeps): Promise<StepStats> {
  const now = deps.clock.now();
  const [counts, waiting, undelivered] = await Promise.all([
    deps.executions.countByStatus(new Date(now.getTime() - DAY_MS), now),
    deps.executions.list({ status: "waiting", limit: 100 }),
    deps.digests.undelivered(100),
  ]);
  const running = await deps.executions.list({ status: "running", limit: 100 });
  const interrupted = await deps.executions.list({ status: "interrupted", limit: 100 });
  const agents = deps.insights && {
    activeAgents: await deps.insights.activeAgents(),
    feedbackAwaitingReview: (await deps.insights.feedbackAwaitingReview(200)).length,
  };
  return {
    ...agents,
    running: running.length,
    waiting: waiting.length,
    interrupted: interrupted.length,
    approvalsOverdue: waiting.filter((e) => isOverdue(e, now)).length,
    failedLast24h: counts.failed ?? 0,
    succeededLast24h: counts.succeeded ?? 0,
    undeliveredDigests: undelivered.length,
  };
}

function isOverdue(execution: ExecutionRecord, now: Date): boolean {
  const deadline = approvalOf(execution)?.deadline;
  return deadline !== null && deadline !== undefined && Date.parse(deadline) <= now.getTime();
}

/** Approvals past their timeout and runs left behind: the engine's sweep settles both, as one action. */
async function actOnOverdueWork(deps: StepDeps, decisions: StepDecision[], actions: string[]): Promise<void> {
  const now = deps.clock.now();
  const overdue = (await deps.executions.list({ status: "waiting", limit: 100 })).filter((e) => isOverdue(e, now));
  const stranded = await deps.executions.resumable(now, 100);
  if (overdue.length === 0 && stranded.length === 0) return;
  if (actions.length >= deps.maxActions) {
    for (const execution of [...overdue, ...stranded]) {
      decisions.push({
        subject: execution.id,
        decision: "leave",
        reason: "It needs action, but this step may take no more actions (BATON_STEP_MAX_ACTIONS).",
        outcome: "left for the next step",
      });
    }
    return;
  }
  await deps.sweep();
  actions.push(`swept: ${overdue.length} approval(s) past their timeout, ${stranded.length} run(s) to resume`);
  for (const execution of overdue) {
    const wait = approvalOf(execution);
    const after = await deps.executions.get(execution.id);
    decisions.push({
      subject: execution.id,
      decision: `apply the timeout's default (${wait?.onTimeout ?? "reject"})`,
      reason: `The approval of \`${wait?.stepId ?? "?"}\` passed its deadline ${wait?.deadline ?? ""}.`,
      outcome: after ? `now ${after.status}` : "gone",
    });
  }
  for (const execution of stranded) {
    const after = await deps.executions.get(execution.id);
    decisions.push({
      subject: execution.id,
      decision: "resume",
      reason: `It was ${execution.status} with no live process running it.`,
      outcome: after ? `now ${after.status}` : "gone",
    });
  }
}

/** Failed runs are reported with how to retry them; re-running work is a person's call. */
async function reportFailures(deps: StepDeps, decisions: StepDecision[]): Promise<void> {
  const now = deps.clock.now();
  const failed = (await deps.executions.list({ status: "failed", limit: 20 })).filter(
    (e) => now.getTime() - (e.finishedAt ?? e.createdAt).getTime() < DAY_MS,
  );
  for (const execution of failed.slice(0, 5)) {
    const retry = retryable(execution);
    decisions.push({
      subject: execution.id,
      decision: retry ? "report as retryable" : "report",
      reason: `${execution.workflowName} failed (${execution.errorCode ?? "error"}): ${execution.errorMessage ?? "no message"}`,
      outcome: retry
        ? `retry with \`/orchestrate run ${execution.workflowName}\` (not retried automatically)`
        : "needs a person",
    });
  }
}

/** Rejections and cancellations are decisions; timeouts, interruptions and tool errors may pass on retry. */
function retryable(execution: ExecutionRecord): boolean {
  return !["rejected", "cancelled", "workflow_invalid", "non_retriable", "budget_exceeded"].includes(
    execution.errorCode ?? "",
  );
}

async function reportUndelivered(deps: StepDeps, decisions: StepDecision[]): Promise<void> {
  for (const delivery of await deps.digests.undelivered(5)) {
    decisions.push({
      subject: `digest to ${delivery.platform} #${delivery.channel}`,
      decision: "report",
      reason: `It could not be delivered after ${delivery.attempts} attempt(s): ${delivery.lastError ?? "unknown error"}`,
      outcome: "shown in status and in the next digest",
    });
  }
}
