import { EventEmitter } from "node:events";
import type { ExecutionRecord, StepAttemptRecord } from "../db/repositories/execution-repository.js";
import type { LlmCallRecord } from "../llm/usage.js";

/** Typed events (CONVENTIONS.md: a map of event name → payload tuple, not strings). */
export interface OrchestratorEvents {
  "execution.started": [execution: ExecutionRecord];
  "step.started": [attempt: StepAttemptRecord];
  "step.finished": [attempt: StepAttemptRecord];
  /** A failed attempt will be tried again after `delayMs`. */
  "step.retrying": [
    retry: {
      executionId: string;
      stepPath: string;
      attempt: number;
      delayMs: number;
      errorCode: string;
      errorMessage: string;
    },
  ];
  "execution.finished": [execution: ExecutionRecord];
  /** A run left behind by a process that stopped was taken up again here (not an approval resuming it). */
  "execution.resumed": [execution: ExecutionRecord];
  /** The execution paused for a person (an approval, or a decision about a cut-off step). */
  "execution.waiting": [execution: ExecutionRecord];
  "agent.spawned": [agent: AgentEvent];
  /** `reason`: retired by a person, idle too long, or evicted from memory (the row stays active). */
  "agent.retired": [agent: AgentEvent & { reason: "retired" | "idle" }];
  "budget.exceeded": [exceeded: BudgetExceededEvent];
  "feedback.received": [feedback: FeedbackEvent];
  "pattern.recognized": [pattern: PatternEvent];
  "improvement.proposed": [proposal: ImprovementEvent];
  "improvement.applied": [proposal: ImprovementEvent];
  "improvement.rolled_back": [rollback: { workflow: string; fromVersion: number; toVersion: number; actorId: string }];
  /** One LLM call, as the ledger recorded it (metrics; not persisted as an event, the ledger has it). */
  "llm.called": [call: LlmCallRecord];
  /** A schedule's fire and what became of it on this replica (`lost`: another replica claimed it). */
  "schedule.fired": [fire: { scheduleId: string; outcome: "ran" | "failed" | "skipped" | "lost" | "gone" | "error" }];
  /** A digest or a run's report posted to a channel outside any request, or not. */
  "digest.delivered": [delivery: { platform: string; outcome: "ok" | "failed" }];
}

export interface AgentEvent {
  agentId: string;
  specialty: string;
  actorId: string | null;
  channel: string | null;
  thread: string | null;
}

export interface BudgetExceededEvent {
  scope: string;
  limit: string;
  limitValue: number;
  used: number;
  estimate: number;
  executionId: string | null;
  agentId: string | null;
  actorId: string | null;
}

export interface FeedbackEvent {
  feedbackId: number;
  actorId: string;
  executionId: string | null;
  workflow: string | null;
  text: string;
}

export interface PatternEvent {
  /** e.g. `workflow.run healthcheck [urls]` */
  shape: string;
  count: number;
  actorId: string;
  command: Record<string, unknown>;
}

export interface ImprovementEvent {
  proposalId: number;
  workflow: string;
  baseVersion: number;
  version: number | null;
  actorId: string | null;
}

type Listener<A extends unknown[]> = (...args: A) => void;

export class EventBus<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    // Every in-flight chat request may listen for its execution's progress.
    this.emitter.setMaxListeners(0);
  }

  on<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): () => void {
    const wrapped = listener as (...args: unknown[]) => void;
    this.emitter.on(event, wrapped);
    return () => this.emitter.off(event, wrapped);
  }

  emit<K extends keyof Events & string>(event: K, ...args: Events[K]): void {
    this.emitter.emit(event, ...args);
  }
}

export type OrchestratorEventBus = EventBus<OrchestratorEvents>;
