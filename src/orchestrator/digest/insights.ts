import type { AgentRecord, AgentRepository } from "../../db/repositories/agent-repository.js";
import type { BudgetRepository } from "../../db/repositories/budget-repository.js";
import type { EventRepository } from "../../db/repositories/event-repository.js";
import type { FeedbackRecord, FeedbackRepository } from "../../db/repositories/feedback-repository.js";

/** A budget scope's daily USD use today; `limitUsd` null means no limit is set. */
export interface BudgetStanding {
  scope: string;
  limitUsd: number | null;
  /** Spent plus reserved today. */
  usedUsd: number;
  /** LLM calls or actions this scope refused in the period (budget.exceeded events). */
  refusals: number;
}

export interface RecognisedPattern {
  at: Date;
  shape: string;
  count: number;
  actorId: string;
  /** The workflow the pattern runs, when it is a workflow.run. */
  workflow: string | null;
  /** What a schedule would run instead (`healthcheck`, `digest #ops`, `step`), when known. */
  action: string | null;
}

/** Share of a daily limit at which a budget counts as near its limit. */
export const NEAR_LIMIT = 0.8;

/**
 * What the agents/budgets/feedback issue adds to the digest and the orchestrator step, read from
 * its tables: budget standings, feedback awaiting review, recognised patterns, active and idle agents.
 */
export interface Insights {
  /** Today's day key in the budgets' calendar. */
  day(): string;
  /** The global budget, then scopes at or over NEAR_LIMIT of their daily limit or refused in the period. */
  budgets(since: Date): Promise<BudgetStanding[]>;
  feedbackAwaitingReview(limit: number): Promise<FeedbackRecord[]>;
  patternsSince(since: Date): Promise<RecognisedPattern[]>;
  activeAgents(): Promise<number>;
  idleAgents(): Promise<AgentRecord[]>;
  /** Retires agents idle past the limit (the pool's retireIdle); returns their ids. */
  retireIdle(): Promise<string[]>;
}

export interface InsightSources {
  budgets: BudgetRepository;
  feedback: FeedbackRepository;
  events: EventRepository;
  agents: AgentRepository;
  today: () => string;
  now: () => Date;
  idleMs: number;
  retireIdle: () => Promise<string[]>;
}

export function createInsights(sources: InsightSources): Insights {
  return {
    day: sources.today,
    budgets: (since) => budgetStandings(sources, since),
    feedbackAwaitingReview: (limit) => sources.feedback.awaitingReview(limit),
    patternsSince: async (since) => (await sources.events.since(since, ["pattern.recognized"], 200)).map(toPattern),
    activeAgents: () => sources.agents.countActive(),
    idleAgents: () => sources.agents.idleSince(new Date(sources.now().getTime() - sources.idleMs), 100),
    retireIdle: sources.retireIdle,
  };
}

async function budgetStandings(sources: InsightSources, since: Date): Promise<BudgetStanding[]> {
  const [budgets, exceeded] = await Promise.all([
    sources.budgets.all(),
    sources.events.since(since, ["budget.exceeded"], 1000),
  ]);
  const refusals = new Map<string, number>();
  for (const event of exceeded) {
    const scope = typeof event.payload.scope === "string" ? event.payload.scope : null;
    if (scope) refusals.set(scope, (refusals.get(scope) ?? 0) + 1);
  }
  const limits = new Map<string, number | null>([["global", null]]);
  for (const budget of budgets) limits.set(budget.scope, budget.limits.max_daily_cost_usd ?? null);
  for (const scope of refusals.keys()) if (!limits.has(scope)) limits.set(scope, null);
  const usage = await sources.budgets.usage([...limits.keys()], sources.today());
  const used = new Map(usage.map((u) => [u.scope, u.spentUsd + u.reservedUsd]));
  const standings = [...limits].map(([scope, limitUsd]) => ({
    scope,
    limitUsd,
    usedUsd: used.get(scope) ?? 0,
    refusals: refusals.get(scope) ?? 0,
  }));
  return standings.filter((s) => s.scope === "global" || s.refusals > 0 || isNearLimit(s));
}

export function isNearLimit(standing: BudgetStanding): boolean {
  return standing.limitUsd !== null && standing.usedUsd >= standing.limitUsd * NEAR_LIMIT;
}

function toPattern(event: { at: Date; payload: Record<string, unknown> }): RecognisedPattern {
  const { shape, count, actorId, command } = event.payload;
  const { workflow, type, channel, input } = (command ?? {}) as {
    workflow?: unknown;
    type?: unknown;
    channel?: unknown;
    input?: unknown;
  };
  const digestAction = `digest${typeof channel === "string" ? ` ${channel}` : ""}`;
  // The inputs the person gave each time: a schedule without the required ones would fail every fire.
  const given =
    input !== null && typeof input === "object"
      ? Object.entries(input as Record<string, unknown>)
          .filter((entry): entry is [string, string] => typeof entry[1] === "string")
          .map(([key, value]) => ` ${key}=${/\s/.test(value) ? JSON.stringify(value) : value}`)
          .join("")
      : "";
  const action =
    typeof workflow === "string"
      ? `run ${workflow}${given}`
      : type === "digest"
        ? digestAction
        : type === "orchestrator.step"
          ? "step"
          : null;
  return {
    action,
    at: event.at,
    shape: typeof shape === "string" ? shape : "unknown request",
    count: typeof count === "number" ? count : 0,
    actorId: typeof actorId === "string" ? actorId : "someone",
    workflow: typeof workflow === "string" ? workflow : null,
  };
}
