import type { Clock, Timer } from "../../clock.js";
import type { Command } from "../../commands/commands.js";
import type { RequestContext } from "../../commands/context.js";
import type { SchedulerConfig } from "../../config-scheduler.js";
import type { AuditRepository } from "../../db/repositories/audit-repository.js";
import type { ScheduleRecord } from "../../db/repositories/schedule-repository.js";
import type { Logger } from "../../logger.js";
import type { Result } from "../results.js";
import { type FireDriver, NodeScheduleDriver } from "../scheduler/job-driver.js";
import { Scheduler, type SchedulerDeps } from "../scheduler/scheduler.js";
import type { DigestDesk } from "./digest-desk.js";
import type { ModeControl } from "./mode.js";
import type { ScheduleBook } from "./schedule-book.js";
import { actOnFire } from "./scheduled-actions.js";
import type { OrchestratorSteps } from "./steps.js";

export interface ControlLoopDeps {
  book: ScheduleBook;
  modes: ModeControl;
  steps: OrchestratorSteps;
  digestDesk: DigestDesk;
  audit: AuditRepository;
  clock: Clock;
  logger: Logger;
  owner: string;
  config: SchedulerConfig;
  /** The one dispatch path: the scheduler is a front-end like any other (DESIGN.md). */
  run: (command: Command, context: RequestContext) => Promise<Result>;
  driver?: FireDriver | undefined;
  /** Starts reporting scheduled and resumed runs to their channels; returns the stop (a long-running process only). */
  reportRuns?: () => () => void;
  /** Told of every schedule fire's outcome (metrics, through the event bus). */
  onFired?: SchedulerDeps["onFired"];
}

/** The fire id continuous-mode steps claim, one per delay window, so replicas step once between them. */
const CONTINUOUS = "continuous";

/**
 * What the orchestrator does on its own in a long-running process: schedule fires and, in
 * continuous mode, a step every delay window. Every autonomous action is claimed in the database first.
 */
export class ControlLoop {
  readonly scheduler: Scheduler;
  private continuousTimer: Timer | null = null;
  private ticking: Promise<void> | null = null;
  /** Only a long-running process arms jobs; a one-shot command just writes the schedule. */
  private started = false;
  private stopReports: (() => void) | null = null;

  constructor(private readonly deps: ControlLoopDeps) {
    this.scheduler = new Scheduler({
      schedules: deps.book.schedules,
      clock: deps.clock,
      logger: deps.logger,
      owner: deps.owner,
      driver: deps.driver ?? new NodeScheduleDriver(),
      minIntervalMs: deps.config.minIntervalS * 1000,
      ...(deps.onFired && { onFired: deps.onFired }),
      holdReason: (schedule) => this.holdReason(schedule),
      act: (schedule, fireTime) =>
        actOnFire(
          {
            audit: deps.audit,
            now: () => deps.clock.now(),
            handle: deps.run,
            digest: (s, at) => deps.digestDesk.scheduled(s, at),
          },
          schedule,
          fireTime,
        ),
    });
    deps.book.onChange(() => (this.started ? this.scheduler.refresh() : Promise.resolve()));
  }

  /** Seeds schedules from the file, catches up missed fires, arms the jobs and the continuous loop. */
  /**
   * Reports runs nobody follows (scheduled, or adopted from a stopped process) to their channels.
   * Called before the engine's first sweep, so a run resumed at start-up is reported too.
   */
  startReports(): void {
    this.stopReports ??= this.deps.reportRuns?.() ?? null;
  }

  async start(): Promise<void> {
    await this.deps.book.seed();
    this.started = true;
    this.startReports();
    await this.scheduler.start();
    this.continuousTimer = this.deps.clock.setInterval(() => {
      // A tick while the last one still runs is skipped: its window is claimed already.
      this.ticking ??= this.continuousTick().finally(() => {
        this.ticking = null;
      });
    }, this.deps.config.continuousDelayMs);
  }

  async stop(): Promise<void> {
    this.continuousTimer?.cancel();
    this.continuousTimer = null;
    this.started = false;
    this.stopReports?.();
    this.stopReports = null;
    await this.scheduler.stop();
    await this.ticking;
    await this.deps.steps.settled();
  }

  private async holdReason(schedule: ScheduleRecord): Promise<string | null> {
    const mode = await this.deps.modes.current();
    if (mode === "paused") return "the orchestrator is paused";
    if (mode === "manual" && schedule.action === "orchestrator.step") {
      return "manual mode: orchestrator steps run only on command";
    }
    return null;
  }

  /** In continuous mode one replica steps per delay window: the window is claimed like a fire. */
  private async continuousTick(): Promise<void> {
    try {
      if ((await this.deps.modes.current()) !== "continuous") return;
      const now = this.deps.clock.now();
      const delay = this.deps.config.continuousDelayMs;
      const window = new Date(Math.floor(now.getTime() / delay) * delay);
      const { schedules } = this.deps.book;
      const claimed = await schedules.claimFire({
        scheduleId: CONTINUOUS,
        fireTime: window,
        owner: this.deps.owner,
        now,
      });
      if (claimed === null) return;
      const run = await this.deps.steps.run("continuous", "continuous mode");
      await schedules.finishFire(claimed, "done", `orchestrator step ${run.id}`, this.deps.clock.now());
    } catch (error) {
      this.deps.logger.error("continuous orchestrator step failed", { error });
    }
  }
}
