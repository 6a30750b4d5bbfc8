import type { AgentRecord } from "../../db/repositories/agent-repository.js";
import type { StepDecision } from "../../db/repositories/orchestrator-run-repository.js";
import type { ScheduleRepository } from "../../db/repositories/schedule-repository.js";
import { type BudgetStanding, type Insights, isNearLimit } from "../digest/insights.js";

export interface InsightStepDeps {
  insights: Insights;
  schedules: ScheduleRepository;
  maxActions: number;
  /** Patterns recognised since this moment are new to this step (the previous step's start). */
  patternsSince: Date;
  /** Budget refusals counted since this moment. */
  refusalsSince: Date;
}

const REPORTED = 5;
const LEFT = "It needs action, but this step may take no more actions (BATON_STEP_MAX_ACTIONS).";

/** Budgets near or over their daily limit are reported; raising a cap is an admin's call. */
export async function reportBudgets(deps: InsightStepDeps, decisions: StepDecision[]): Promise<void> {
  const standings = (await deps.insights.budgets(deps.refusalsSince)).filter((s) => isNearLimit(s) || s.refusals > 0);
  for (const standing of standings.slice(0, REPORTED)) {
    decisions.push({
      subject: `budget ${standing.scope}`,
      decision: "report",
      reason: budgetReason(standing, deps.insights.day()),
      outcome: `needs an admin: \`/orchestrate budget set ${standing.scope} daily=<usd>\` raises the cap`,
    });
  }
}

function budgetReason(standing: BudgetStanding, day: string): string {
  const used = `$${standing.usedUsd.toFixed(4)}`;
  const against =
    standing.limitUsd === null
      ? `${used} spent on ${day} (no daily limit)`
      : `${used} of its $${standing.limitUsd.toFixed(2)} daily limit used on ${day} (${Math.round((standing.usedUsd / standing.limitUsd) * 100)}%)`;
  return standing.refusals > 0 ? `${against}; it refused ${standing.refusals} call(s) or action(s).` : `${against}.`;
}

/**
 * Feedback nobody has acted on yet is reported with the command that picks it up again: proposing
 * an improvement costs LLM calls and a replay, which a step does not spend on its own.
 */
export async function reportFeedback(deps: InsightStepDeps, decisions: StepDecision[]): Promise<void> {
  const waiting = await deps.insights.feedbackAwaitingReview(REPORTED);
  for (const feedback of waiting) {
    const about = feedback.executionId ? `run \`${feedback.executionId}\`` : "no run";
    decisions.push({
      subject: `feedback ${feedback.id}`,
      decision: "report",
      reason: `Feedback on ${about}${feedback.workflowName ? ` (${feedback.workflowName})` : ""} awaits review: "${clip(feedback.text, 120)}"`,
      outcome: feedback.executionId
        ? `needs a person: review it, or \`/improve <feedback> ex=${feedback.executionId}\` for a proposal`
        : "needs a person",
    });
  }
}

/** Patterns recognised since the last step whose workflow has no schedule yet are offered to a person. */
export async function reportPatterns(deps: InsightStepDeps, decisions: StepDecision[]): Promise<void> {
  const [patterns, schedules] = await Promise.all([
    deps.insights.patternsSince(deps.patternsSince),
    deps.schedules.list({ enabledOnly: true }),
  ]);
  const scheduled = new Set(schedules.filter((s) => s.action === "workflow.run").map((s) => s.workflow));
  const seen = new Set<string>();
  for (const pattern of patterns) {
    if (seen.has(pattern.shape) || (pattern.workflow !== null && scheduled.has(pattern.workflow))) continue;
    seen.add(pattern.shape);
    if (seen.size > REPORTED) break;
    decisions.push({
      subject: `pattern ${pattern.shape}`,
      decision: "report",
      reason: `${pattern.actorId} made this request ${pattern.count} times within seven days, and no schedule runs it.`,
      outcome: pattern.action
        ? `offer: \`/orchestrate schedule "0 9 * * 1-5" ${pattern.action}\` (not scheduled automatically)`
        : "needs a person",
    });
  }
}

/**
 * Agents idle past the limit are retired, as one action. `seen` are the idle agents found before
 * the step's sweep, which retires idle agents itself (the engine's afterSweep): those are recorded
 * as retired by it rather than lost from the journal.
 */
export async function retireIdleAgents(
  deps: InsightStepDeps,
  seen: readonly AgentRecord[],
  decisions: StepDecision[],
  actions: string[],
): Promise<void> {
  const idle = await deps.insights.idleAgents();
  const still = new Set(idle.map((agent) => agent.id));
  for (const agent of seen.filter((a) => !still.has(a.id))) {
    decisions.push({ ...retireDecision(agent), outcome: "retired by this step's sweep" });
  }
  if (idle.length === 0) return;
  if (actions.length >= deps.maxActions) {
    for (const agent of idle.slice(0, REPORTED)) {
      decisions.push({ subject: agent.id, decision: "leave", reason: LEFT, outcome: "left for the next step" });
    }
    return;
  }
  const retired = new Set(await deps.insights.retireIdle());
  actions.push(`retired ${retired.size} idle agent(s)`);
  for (const agent of idle) {
    decisions.push({
      ...retireDecision(agent),
      outcome: retired.has(agent.id) ? "retired" : "already retired elsewhere",
    });
  }
}

function retireDecision(agent: AgentRecord): StepDecision {
  return {
    subject: agent.id,
    decision: "retire",
    reason: `The ${agent.specialty} agent was last used at ${agent.lastUsedAt.toISOString()}, past the idle limit.`,
    outcome: "",
  };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
