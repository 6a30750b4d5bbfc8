import type { Clock, Timer } from "../../clock.js";
import type { NewAttempt, StepAttemptRecord } from "../../db/repositories/execution-repository.js";
import type { BatonError } from "../../errors.js";
import type { JsonValue } from "../tools/types.js";

/**
 * How long a repeatable step may run before its `running` row is written. Below it, the step is
 * written once, finished: one statement per step instead of two.
 */
export const QUICK_STEP_MS = 25;

export const NOT_FINISHED = {
  status: "running",
  output: null,
  errorCode: null,
  errorMessage: null,
  finishedAt: null,
} as const;

type Started = Omit<NewAttempt, "status">;
type Outcome = { status: string; output?: JsonValue; error?: BatonError };

/** What the runner offers an attempt row: owned writes, and finishing (which emits step.finished). */
export interface AttemptWriter {
  recordOwned(attempt: NewAttempt): Promise<number | null>;
  /** Finishes an open row while the run is this process's; false when it no longer is. */
  finishOwned(attempt: Started & { id: number }, result: Outcome): Promise<boolean>;
  /** Announces an attempt written finished in one go (step.finished). */
  announceFinished(attempt: StepAttemptRecord): void;
  now(): Date;
}

/**
 * One attempt's row: opened (`running`) before the step when it is not safe to repeat, or after
 * `openAfter` ms when it turns out slow; otherwise written once, finished, by `close`.
 */
export class AttemptRow {
  private opened: Promise<number | null> | null = null;
  private timer: Timer | null = null;
  /** The outcome a stopped run refused (with its open row's id, if any), for the runner to record if cancelled. */
  refused: { id: number | null; row: NewAttempt } | null = null;

  constructor(
    private readonly writer: AttemptWriter,
    private readonly started: Started,
    private readonly clock: Clock,
  ) {}

  /** Writes the `running` row now; null when the run is no longer this process's. */
  open(): Promise<number | null> {
    this.opened ??= this.writer.recordOwned({ ...this.started, status: "running" });
    return this.opened;
  }

  openAfter(ms: number): void {
    this.timer = this.clock.setTimeout(() => {
      // A refused or failed write surfaces in close(), which awaits the same promise.
      this.open().catch(() => undefined);
    }, ms);
  }

  /**
   * Records the outcome; false when the run stopped being this process's meanwhile (then
   * `refused` holds the finished row, for the runner to record if the run was cancelled).
   */
  async close(outcome: Outcome): Promise<boolean> {
    this.timer?.cancel();
    const row = {
      ...this.started,
      status: outcome.status,
      output: outcome.output ?? null,
      errorCode: outcome.error?.code ?? null,
      errorMessage: outcome.error?.message ?? null,
      finishedAt: this.writer.now(),
    };
    const openedId = this.opened ? await this.opened : undefined;
    if (typeof openedId === "number") {
      if (await this.writer.finishOwned({ ...this.started, id: openedId }, outcome)) return true;
      this.refused = { id: openedId, row };
      return false;
    }
    const id = openedId === null ? null : await this.writer.recordOwned(row);
    if (id === null) {
      this.refused = { id: null, row };
      return false;
    }
    this.writer.announceFinished({ ...row, id });
    return true;
  }
}
