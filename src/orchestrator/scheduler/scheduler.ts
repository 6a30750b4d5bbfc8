import type { Clock, Timer } from "../../clock.js";
import type { ScheduleRecord, ScheduleRepository } from "../../db/repositories/schedule-repository.js";
import { toBatonError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { firesBetween, latestFireAtOrBefore } from "./cron.js";
import { shortestGapSeconds } from "./cron-interval.js";
import type { FireDriver } from "./job-driver.js";

/** What became of one fire in this process. `lost`: another replica claimed it first. */
export type FireOutcome =
  | { kind: "ran"; detail: string }
  | { kind: "failed"; detail: string }
  | { kind: "skipped"; detail: string }
  | { kind: "lost" }
  | { kind: "gone" };

export interface SchedulerDeps {
  schedules: ScheduleRepository;
  clock: Clock;
  logger: Logger;
  /** This process, as recorded on the fires it claims. */
  owner: string;
  driver: FireDriver;
  /** Why this schedule may not act right now (the mode), or null when it may. */
  holdReason(schedule: ScheduleRecord): Promise<string | null>;
  /** Carries out a claimed fire; resolves with one line saying what happened. */
  act(schedule: ScheduleRecord, fireTime: Date): Promise<string>;
  /** How old a missed fire may be and still count as on time (replicas starting around a fire). */
  graceMs?: number;
  /** How often the schedules are re-read, so a schedule created on another replica is armed here. */
  refreshMs?: number;
  /**
   * The closest two fires of one schedule may run (BATON_SCHEDULE_MIN_INTERVAL_S). New schedules
   * are refused faster crons; one stored before the limit existed is held to it here.
   */
  minIntervalMs?: number;
  /** Told of every fire's outcome on this replica (metrics). */
  onFired?: (scheduleId: string, outcome: FireOutcome["kind"] | "error") => void;
}

/**
 * Runs schedules exactly once across replicas: every fire first inserts its unique
 * (schedule, fire time) row; only the process whose insert succeeded acts. Fires missed while
 * baton was down follow the schedule's policy on start: `skip` records them, `run_once` runs the
 * latest of them once.
 */
export class Scheduler {
  private armed = new Map<string, string>();
  private timer: Timer | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** The latest fire each schedule ran in this process, to hold back a too-fast cron without a query. */
  private readonly lastRun = new Map<string, number>();

  constructor(private readonly deps: SchedulerDeps) {}

  async start(): Promise<void> {
    await this.catchUp();
    await this.refresh();
    const every = this.deps.refreshMs ?? 30_000;
    const refreshLogged = () =>
      this.refresh().catch((error: unknown) => {
        this.deps.logger.warn("could not refresh the schedules; the next refresh tries again", { error });
      });
    this.timer = this.deps.clock.setInterval(() => void refreshLogged(), every);
  }

  /** Stops arming and firing; waits for fires already running. */
  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    this.deps.driver.disarmAll();
    this.armed.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Arms a job per enabled schedule, re-arms changed ones and disarms deleted ones. */
  async refresh(): Promise<void> {
    const schedules = await this.deps.schedules.list({ enabledOnly: true });
    const seen = new Set<string>();
    for (const schedule of schedules) {
      seen.add(schedule.id);
      const signature = `${schedule.cron}|${schedule.timeZone}`;
      if (this.armed.get(schedule.id) === signature) continue;
      this.warnIfTooFast(schedule);
      this.deps.driver.arm(schedule, (fireTime) => void this.track(this.fireLogged(schedule.id, fireTime)));
      this.armed.set(schedule.id, signature);
    }
    for (const id of [...this.armed.keys()]) {
      if (seen.has(id)) continue;
      this.deps.driver.disarm(id);
      this.armed.delete(id);
    }
  }

  /** A timer's fire: nothing may escape it (the database could be unreachable at that moment). */
  private async fireLogged(scheduleId: string, fireTime: Date): Promise<void> {
    try {
      const outcome = await this.fire(scheduleId, fireTime);
      this.deps.onFired?.(scheduleId, outcome.kind);
    } catch (error) {
      this.deps.onFired?.(scheduleId, "error");
      this.deps.logger.error("a schedule fire could not be claimed or recorded", {
        schedule: scheduleId,
        fireTime: fireTime.toISOString(),
        error,
      });
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    // Deliberately quiet: this chain only forgets the work. The work is a `fireLogged`, which logs
    // its own failure and never rejects; a rejection here would only repeat one already logged.
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  /**
   * One fire of one schedule. `fireTime` is normalised to the schedule's own fire time at or before
   * it, so every replica claims the same row whatever its timer's drift.
   */
  async fire(scheduleId: string, fireTime: Date, note?: string): Promise<FireOutcome> {
    const { schedules, clock, owner, logger } = this.deps;
    const schedule = await schedules.get(scheduleId);
    if (!schedule?.enabled) return { kind: "gone" };
    const at = latestFireAtOrBefore(schedule.cron, schedule.timeZone, new Date(fireTime.getTime() + 999)) ?? fireTime;
    if (await this.tooSoon(scheduleId, at)) return { kind: "skipped", detail: "too soon after the previous fire" };
    const claimed = await schedules.claimFire({ scheduleId, fireTime: at, owner, now: clock.now() });
    if (claimed === null) return { kind: "lost" };
    this.lastRun.set(scheduleId, at.getTime());
    const hold = await this.deps.holdReason(schedule);
    if (hold !== null) {
      await schedules.finishFire(claimed, "skipped", hold, clock.now());
      logger.info("schedule fire skipped", { schedule: scheduleId, fireTime: at.toISOString(), reason: hold });
      return { kind: "skipped", detail: hold };
    }
    try {
      const detail = await this.deps.act(schedule, at);
      const line = note ? `${note}; ${detail}` : detail;
      await schedules.finishFire(claimed, "done", line, clock.now());
      return { kind: "ran", detail: line };
    } catch (error) {
      const detail = toBatonError(error).message;
      await schedules.finishFire(claimed, "failed", detail, clock.now());
      logger.error("scheduled action failed", { schedule: scheduleId, fireTime: at.toISOString(), error });
      return { kind: "failed", detail };
    }
  }

  /**
   * A fire closer than the minimum interval to the schedule's previous one (here, or on any replica
   * before a restart) is dropped without a row: a stored per-second cron must not write one a second.
   */
  private async tooSoon(scheduleId: string, at: Date): Promise<boolean> {
    const minimum = this.deps.minIntervalMs ?? 0;
    if (minimum <= 0) return false;
    const gap = (previous: number) => at.getTime() > previous && at.getTime() - previous < minimum;
    const known = this.lastRun.get(scheduleId);
    if (known !== undefined && gap(known)) return true;
    const last = await this.deps.schedules.lastFire(scheduleId);
    return last !== null && gap(last.fireTime.getTime());
  }

  private warnIfTooFast(schedule: ScheduleRecord): void {
    const minimum = this.deps.minIntervalMs ?? 0;
    let gapMs: number;
    try {
      gapMs = shortestGapSeconds(schedule.cron) * 1000;
    } catch (error) {
      this.deps.logger.warn("cannot tell how often a stored schedule fires", {
        schedule: schedule.id,
        cron: schedule.cron,
        error,
      });
      return;
    }
    if (gapMs >= minimum) return;
    this.deps.logger.warn(
      "a stored schedule fires faster than BATON_SCHEDULE_MIN_INTERVAL_S; it runs at most once per interval",
      {
        schedule: schedule.id,
        cron: schedule.cron,
        minIntervalS: minimum / 1000,
      },
    );
  }

  /** Fires missed while no replica ran: compares the last claimed fire with those expected since. */
  async catchUp(): Promise<Map<string, FireOutcome>> {
    const outcomes = new Map<string, FireOutcome>();
    for (const schedule of await this.deps.schedules.list({ enabledOnly: true })) {
      try {
        const outcome = await this.catchUpOne(schedule);
        if (outcome) outcomes.set(schedule.id, outcome);
      } catch (error) {
        this.deps.logger.error("could not catch up a schedule", { schedule: schedule.id, error });
      }
    }
    return outcomes;
  }

  private async catchUpOne(schedule: ScheduleRecord): Promise<FireOutcome | null> {
    const now = this.deps.clock.now();
    const last = (await this.deps.schedules.lastFire(schedule.id))?.fireTime ?? schedule.createdAt;
    const missed = firesBetween(schedule.cron, schedule.timeZone, last, now, 0);
    if (!missed.latest) return null;
    const grace = this.deps.graceMs ?? 60_000;
    // A fire of the last moments is still on time: run it (the claim keeps it to one replica).
    if (now.getTime() - missed.latest.getTime() <= grace) return this.fire(schedule.id, missed.latest);
    const what = `missed ${missed.count === 1 ? "1 fire" : `${missed.count} fires`} while baton was down`;
    if (schedule.missedPolicy === "run_once") return this.fire(schedule.id, missed.latest, `${what}; ran once`);
    const claimed = await this.deps.schedules.claimFire({
      scheduleId: schedule.id,
      fireTime: missed.latest,
      owner: this.deps.owner,
      now,
      status: "skipped",
      detail: `${what}; skipped (policy skip)`,
    });
    if (claimed === null) return { kind: "lost" };
    this.deps.logger.warn("missed schedule fires skipped", { schedule: schedule.id, count: missed.count });
    return { kind: "skipped", detail: what };
  }
}
