import { EventEmitter } from "node:events";
import type { ExecutionRecord, StepAttemptRecord } from "../db/repositories/execution-repository.js";

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
  /** The execution paused for a person (an approval, or a decision about a cut-off step). */
  "execution.waiting": [execution: ExecutionRecord];
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
