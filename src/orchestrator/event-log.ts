import type { Clock } from "../clock.js";
import type { EventRepository, NewEvent } from "../db/repositories/event-repository.js";
import type { ExecutionRecord, StepAttemptRecord } from "../db/repositories/execution-repository.js";
import type { Logger } from "../logger.js";
import type { OrchestratorEventBus, OrchestratorEvents } from "./events.js";

/** At most this many events are kept waiting for the database; later ones are dropped and counted. */
const MAX_BUFFERED = 10_000;
/** How long events gather before one insert writes them (bench:events measures the cost). */
const FLUSH_DELAY_MS = 100;

/**
 * Persists the typed events to the `events` table. The engine's hot path only pushes onto an
 * in-memory buffer; a flush a moment later writes everything buffered as one multi-row insert, so
 * many runs' steps cost one statement, not one per event. Shutdown flushes what is left.
 */
export class EventLog {
  private buffer: NewEvent[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private dropped = 0;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly repository: EventRepository,
    bus: OrchestratorEventBus,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.subscribe(bus);
  }

  private subscribe(bus: OrchestratorEventBus): void {
    const on = <K extends keyof OrchestratorEvents & string>(
      type: K,
      toEvent: (...args: OrchestratorEvents[K]) => Omit<NewEvent, "at" | "type">,
    ) => this.unsubscribe.push(bus.on(type, (...args) => this.push(type, toEvent(...args))));
    on("execution.started", execution);
    on("execution.waiting", execution);
    on("execution.finished", execution);
    on("step.started", step);
    on("step.finished", step);
    on("step.retrying", (retry) => ({ ...ids(retry.executionId), payload: { ...retry } }));
    on("agent.spawned", (agent) => ({ ...ids(null, agent.agentId, agent.actorId), payload: { ...agent } }));
    on("agent.retired", (agent) => ({ ...ids(null, agent.agentId, agent.actorId), payload: { ...agent } }));
    on("budget.exceeded", (e) => ({ ...ids(e.executionId, e.agentId, e.actorId), payload: { ...e } }));
    on("feedback.received", (e) => ({ ...ids(e.executionId, null, e.actorId), payload: { ...e } }));
    on("pattern.recognized", (e) => ({ ...ids(null, null, e.actorId), payload: { ...e } }));
    on("improvement.proposed", (e) => ({ ...ids(null, null, e.actorId), payload: { ...e } }));
    on("improvement.applied", (e) => ({ ...ids(null, null, e.actorId), payload: { ...e } }));
    on("improvement.rolled_back", (e) => ({ ...ids(null, null, e.actorId), payload: { ...e } }));
  }

  /** Writes whatever is buffered; resolves when it is in the database (shutdown, tests). */
  async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.buffer;
    this.buffer = [];
    const write = this.flushing.then(() => this.write(batch));
    this.flushing = write;
    await write;
  }

  async close(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    await this.flush();
  }

  private push(type: string, event: Omit<NewEvent, "at" | "type">): void {
    if (this.buffer.length >= MAX_BUFFERED) {
      this.dropped += 1;
      return;
    }
    this.buffer.push({ at: this.clock.now(), type, ...event });
    if (this.scheduled) return;
    this.scheduled = true;
    this.clock.setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  private async write(batch: NewEvent[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      await this.repository.append(batch);
    } catch (error) {
      this.logger.error("could not record orchestrator events", { count: batch.length, error });
    }
    if (this.dropped > 0) {
      this.logger.warn("orchestrator events were dropped while the database lagged", { dropped: this.dropped });
      this.dropped = 0;
    }
  }
}

function ids(executionId: string | null, agentId: string | null = null, actorId: string | null = null) {
  return { executionId, agentId, actorId };
}

function execution(record: ExecutionRecord): Omit<NewEvent, "at" | "type"> {
  return {
    ...ids(record.id, null, record.requestedBy),
    payload: {
      workflow: record.workflowName,
      version: record.workflowVersion,
      status: record.status,
      errorCode: record.errorCode,
      errorMessage: record.errorMessage,
      channel: record.channel,
      thread: record.thread,
    },
  };
}

function step(attempt: StepAttemptRecord): Omit<NewEvent, "at" | "type"> {
  return {
    ...ids(attempt.executionId),
    payload: {
      stepPath: attempt.stepPath,
      kind: attempt.stepKind,
      tool: attempt.tool,
      attempt: attempt.attempt,
      status: attempt.status,
      errorCode: attempt.errorCode,
      errorMessage: attempt.errorMessage,
    },
  };
}
