import nodeSchedule from "node-schedule";
import type { ScheduleRecord } from "../../db/repositories/schedule-repository.js";

/**
 * Arms node-schedule jobs (the only module that imports node-schedule). node-schedule fires on every
 * replica; the Scheduler claims each fire in the database before it acts, so only one runs it.
 */
export interface FireDriver {
  arm(schedule: ScheduleRecord, onFire: (fireTime: Date) => void): void;
  disarm(scheduleId: string): void;
  disarmAll(): void;
}

export class NodeScheduleDriver implements FireDriver {
  private readonly jobs = new Map<string, nodeSchedule.Job>();

  arm(schedule: ScheduleRecord, onFire: (fireTime: Date) => void): void {
    this.disarm(schedule.id);
    // node-schedule hands the callback the invocation's scheduled time, the same on every replica.
    const job = nodeSchedule.scheduleJob({ rule: schedule.cron, tz: schedule.timeZone }, (fireDate: Date) =>
      onFire(fireDate),
    );
    if (job) this.jobs.set(schedule.id, job);
  }

  disarm(scheduleId: string): void {
    this.jobs.get(scheduleId)?.cancel();
    this.jobs.delete(scheduleId);
  }

  disarmAll(): void {
    for (const id of [...this.jobs.keys()]) this.disarm(id);
  }
}
