import type { Clock } from "../../clock.js";
import type { ScheduleRecord, ScheduleRepository } from "../../db/repositories/schedule-repository.js";
import type { Logger } from "../../logger.js";
import { nextFireAfter } from "../scheduler/cron.js";
import { readSchedulesFile } from "../scheduler/schedules-file.js";

export interface ScheduleBookDeps {
  schedules: ScheduleRepository;
  clock: Clock;
  logger: Logger;
  timeZone: string;
  /** BATON_SCHEDULES_FILE: schedules seeded on start (absent: none). */
  schedulesFile: string | null;
  minIntervalS: number;
  isWorkflow: (name: string) => boolean;
}

/**
 * The stored schedules as the commands and the control loop share them: what the schedules file
 * seeded (and rejected), the next fire, and a signal when a command changed them, so the loop
 * re-arms its jobs without the commands knowing about it.
 */
export class ScheduleBook {
  private seedProblems: string[] = [];
  private readonly listeners: Array<() => Promise<void>> = [];

  constructor(private readonly deps: ScheduleBookDeps) {}

  get schedules(): ScheduleRepository {
    return this.deps.schedules;
  }

  /** Problems found in the schedules file on start. */
  problems(): string[] {
    return [...this.seedProblems];
  }

  /** Re-arms this process's jobs after a change (other replicas re-read on their next refresh). */
  async changed(): Promise<void> {
    for (const listener of this.listeners) await listener();
  }

  onChange(listener: () => Promise<void>): void {
    this.listeners.push(listener);
  }

  async next(): Promise<{ schedule: ScheduleRecord; at: Date } | null> {
    const now = this.deps.clock.now();
    let best: { schedule: ScheduleRecord; at: Date } | null = null;
    for (const schedule of await this.deps.schedules.list({ enabledOnly: true })) {
      const at = nextFireAfter(schedule.cron, schedule.timeZone, now);
      if (!best || at < best.at) best = { schedule, at };
    }
    return best;
  }

  /** Upserts the schedules file's schedules; the ones it rejects are logged and kept for status. */
  async seed(): Promise<void> {
    const file = this.deps.schedulesFile;
    if (!file) return;
    const { schedules, problems } = await readSchedulesFile(file, {
      timeZone: this.deps.timeZone,
      now: this.deps.clock.now(),
      isWorkflow: this.deps.isWorkflow,
      minIntervalS: this.deps.minIntervalS,
    });
    this.seedProblems = problems;
    for (const problem of problems) this.deps.logger.warn("schedule rejected", { problem });
    for (const schedule of schedules) {
      const change = await this.deps.schedules.upsert(schedule);
      if (change !== "unchanged") this.deps.logger.info("schedule seeded", { schedule: schedule.id, change });
    }
  }
}
