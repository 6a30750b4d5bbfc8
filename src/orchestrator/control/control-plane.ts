import type { Clock, Timer } from "../../clock.js";
import type { Command } from "../../commands/commands.js";
import type { RequestContext } from "../../commands/context.js";
import type { SchedulerConfig } from "../../config-scheduler.js";
import type { Database } from "../../db/database.js";
import type { AuditRepository } from "../../db/repositories/audit-repository.js";
import { DigestRepository } from "../../db/repositories/digest-repository.js";
import type { ExecutionRepository } from "../../db/repositories/execution-repository.js";
import { OrchestratorRunRepository } from "../../db/repositories/orchestrator-run-repository.js";
import { type ScheduleRecord, ScheduleRepository } from "../../db/repositories/schedule-repository.js";
import type { Logger } from "../../logger.js";
import { STALE_CLAIM_MS } from "../digest/compose-digest.js";
import type { DigestDelivery } from "../digest/digest.js";
import type { Insights } from "../digest/insights.js";
import type { Result } from "../results.js";
import { type FireDriver, NodeScheduleDriver } from "../scheduler/job-driver.js";
import { Scheduler } from "../scheduler/scheduler.js";
import { readSchedulesFile } from "../scheduler/schedules-file.js";
import type { ControlResult, ControlSnapshot, OrchestratorMode } from "./control-results.js";
import { DigestDesk } from "./digest-desk.js";
import { ModeControl } from "./mode.js";
import { createSchedule, deleteSchedule, listSchedules, type ScheduleCommandDeps } from "./schedule-commands.js";
import { actOnFire } from "./scheduled-actions.js";
import { runStep } from "./step.js";

export interface ControlPlaneDeps {
  database: Database;
  executions: ExecutionRepository;
  audit: AuditRepository;
  clock: Clock;
  logger: Logger;
  owner: string;
  timeZone: string;
  config: SchedulerConfig;
  isWorkflow: (name: string) => boolean;
  handle: (command: Command, context: RequestContext) => Promise<Result>;
  /** The engine's sweep (resume runs left behind, settle approvals past their timeout). */
  sweep: () => Promise<void>;
  delivery: DigestDelivery | null;
  /** Budgets, feedback, patterns and agents for the digest and the step (null: not shown). */
  insights?: Insights | null;
  driver?: FireDriver;
}

/** The fire id continuous-mode steps claim, one per delay window, so replicas step once between them. */
const CONTINUOUS = "continuous";

/**
 * The orchestrator's control plane: schedules and their fires, the mode, orchestrator steps and
 * the status digest. Every autonomous action is claimed in the database first.
 */
export class ControlPlane {
  readonly schedules: ScheduleRepository;
  readonly runs: OrchestratorRunRepository;
  readonly digests: DigestRepository;
  readonly scheduler: Scheduler;
  readonly modes: ModeControl;
  readonly digestDesk: DigestDesk;
  private seedProblems: string[] = [];
  private continuousTimer: Timer | null = null;
  private stepping: Promise<unknown> | null = null;
  /** Only a long-running process arms jobs; a one-shot command just writes the schedule. */
  private started = false;

  constructor(private readonly deps: ControlPlaneDeps) {
    this.schedules = new ScheduleRepository(deps.database);
    this.runs = new OrchestratorRunRepository(deps.database);
    this.digests = new DigestRepository(deps.database);
    this.modes = new ModeControl(this.runs, deps.clock);
    this.digestDesk = new DigestDesk({
      digests: this.digests,
      executions: deps.executions,
      schedules: this.schedules,
      runs: this.runs,
      insights: deps.insights ?? null,
      delivery: deps.delivery,
      clock: deps.clock,
      logger: deps.logger,
      timeZone: deps.timeZone,
      attempts: deps.config.digestRetries,
      backoffMs: deps.config.digestRetryMs,
    });
    this.scheduler = new Scheduler({
      schedules: this.schedules,
      clock: deps.clock,
      logger: deps.logger,
      owner: deps.owner,
      driver: deps.driver ?? new NodeScheduleDriver(),
      minIntervalMs: deps.config.minIntervalS * 1000,
      holdReason: (schedule) => this.holdReason(schedule),
      act: (schedule, fireTime) =>
        actOnFire(
          {
            audit: deps.audit,
            now: () => deps.clock.now(),
            handle: deps.handle,
            digest: (s, at) => this.digestDesk.scheduled(s, at),
          },
          schedule,
          fireTime,
        ),
    });
  }

  /** Seeds schedules from the file, catches up missed fires, arms the jobs and the continuous loop. */
  async start(): Promise<void> {
    await this.seed();
    this.started = true;
    await this.scheduler.start();
    this.continuousTimer = this.deps.clock.setInterval(
      () => void this.continuousTick(),
      this.deps.config.continuousDelayMs,
    );
  }

  async stop(): Promise<void> {
    this.continuousTimer?.cancel();
    this.continuousTimer = null;
    this.started = false;
    await this.scheduler.stop();
    await this.stepping;
  }

  async handle(command: Command, context: RequestContext): Promise<ControlResult | null> {
    switch (command.type) {
      case "schedule.create":
        return createSchedule(command, context, this.scheduleDeps());
      case "schedule.list":
        return listSchedules(this.scheduleDeps());
      case "schedule.delete":
        return deleteSchedule(command, this.scheduleDeps());
      case "orchestrator.mode":
        return this.modes.change(command.mode, `${context.actor.platform}:${context.actor.id}`);
      case "orchestrator.step":
        return { type: "orchestrator.step", run: await this.step("command", context.actor.name) };
      case "digest":
        return this.digestDesk.onRequest(command, context);
      default:
        return null;
    }
  }

  /** The decision journal: recent orchestrator steps with their decisions. */
  async journal(limit: number): Promise<ControlResult> {
    return { type: "orchestrator.journal", runs: await this.runs.recent(limit) };
  }

  step(kind: string, by: string) {
    const work = this.modes.current().then((mode) => runStep(this.stepDeps(), { kind, by, mode }));
    this.stepping = work.catch(() => undefined);
    return work;
  }

  async snapshot(): Promise<ControlSnapshot> {
    const now = this.deps.clock.now();
    const [mode, lastRun, next, schedules, undelivered, troubled] = await Promise.all([
      this.modes.setting(),
      this.runs.last(),
      this.scheduler.next(),
      this.schedules.list({ enabledOnly: true }),
      this.digests.undelivered(5),
      this.schedules.unsuccessfulFiresSince(
        new Date(now.getTime() - 24 * 3600_000),
        new Date(now.getTime() - STALE_CLAIM_MS),
        5,
      ),
    ]);
    return {
      mode: mode.mode,
      modeChangedBy: mode.updatedBy,
      lastRun,
      nextFire: next && {
        scheduleId: next.schedule.id,
        action: next.schedule.action,
        channel: next.schedule.channel,
        at: next.at,
      },
      schedules: schedules.length,
      undeliveredDigests: undelivered,
      troubledFires: troubled,
      problems: [...this.seedProblems],
    };
  }

  private async holdReason(schedule: ScheduleRecord): Promise<string | null> {
    const mode = await this.modes.current();
    if (mode === "paused") return "the orchestrator is paused";
    if (mode === "manual" && schedule.action === "orchestrator.step") {
      return "manual mode: orchestrator steps run only on command";
    }
    return null;
  }

  /** In continuous mode one replica steps per delay window: the window is claimed like a fire. */
  private async continuousTick(): Promise<void> {
    try {
      if ((await this.modes.current()) !== "continuous") return;
      const now = this.deps.clock.now();
      const delay = this.deps.config.continuousDelayMs;
      const window = new Date(Math.floor(now.getTime() / delay) * delay);
      const claimed = await this.schedules.claimFire({
        scheduleId: CONTINUOUS,
        fireTime: window,
        owner: this.deps.owner,
        now,
      });
      if (claimed === null) return;
      const run = await this.step("continuous", "continuous mode");
      await this.schedules.finishFire(claimed, "done", `orchestrator step ${run.id}`, this.deps.clock.now());
    } catch (error) {
      this.deps.logger.error("continuous orchestrator step failed", { error });
    }
  }

  private async seed(): Promise<void> {
    const file = this.deps.config.schedulesFile;
    if (!file) return;
    const { schedules, problems } = await readSchedulesFile(file, {
      timeZone: this.deps.timeZone,
      now: this.deps.clock.now(),
      isWorkflow: this.deps.isWorkflow,
      minIntervalS: this.deps.config.minIntervalS,
    });
    this.seedProblems = problems;
    for (const problem of problems) this.deps.logger.warn("schedule rejected", { problem });
    for (const schedule of schedules) {
      const change = await this.schedules.upsert(schedule);
      if (change !== "unchanged") this.deps.logger.info("schedule seeded", { schedule: schedule.id, change });
    }
  }

  private scheduleDeps(): ScheduleCommandDeps {
    return {
      schedules: this.schedules,
      now: () => this.deps.clock.now(),
      timeZone: this.deps.timeZone,
      isWorkflow: this.deps.isWorkflow,
      mode: () => this.modes.current(),
      changed: () => (this.started ? this.scheduler.refresh() : Promise.resolve()),
      problems: () => [...this.seedProblems],
      minIntervalS: this.deps.config.minIntervalS,
    };
  }

  private stepDeps() {
    return {
      executions: this.deps.executions,
      digests: this.digests,
      runs: this.runs,
      schedules: this.schedules,
      clock: this.deps.clock,
      sweep: this.deps.sweep,
      insights: this.deps.insights ?? null,
      maxActions: this.deps.config.stepMaxActions,
    };
  }
}

export type { OrchestratorMode };
