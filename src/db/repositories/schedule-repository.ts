import { Op, UniqueConstraintError } from "sequelize";
import { redactSecrets, redactValue } from "../../redact.js";
import type { Database } from "../database.js";
import type { ScheduleFireRow, ScheduleRow } from "../models-schedules.js";
import { parseJson } from "./audit-repository.js";
import { clip } from "./columns.js";
import { idsStartingWith } from "./id-prefix.js";

export const SCHEDULE_ACTIONS = ["digest", "workflow.run", "orchestrator.step"] as const;
export type ScheduleAction = (typeof SCHEDULE_ACTIONS)[number];
export const MISSED_POLICIES = ["skip", "run_once"] as const;
export type MissedPolicy = (typeof MISSED_POLICIES)[number];

export interface ScheduleRecord {
  id: string;
  cron: string;
  timeZone: string;
  action: ScheduleAction;
  /** For workflow.run: which workflow, with `input`. */
  workflow: string | null;
  input: Record<string, string>;
  /** Where results and digests are posted. */
  platform: string;
  channel: string | null;
  enabled: boolean;
  missedPolicy: MissedPolicy;
  createdBy: string;
  /** "chat", or the YAML file it was seeded from. */
  source: string;
  createdAt: Date;
  updatedAt: Date;
}

/** claimed: running now; done/failed: ran; skipped: not run (paused, or missed while down under `skip`). */
export type FireStatus = "claimed" | "done" | "failed" | "skipped";

export interface ScheduleFire {
  id: number;
  scheduleId: string;
  fireTime: Date;
  claimedBy: string;
  claimedAt: Date;
  status: FireStatus;
  detail: string | null;
  finishedAt: Date | null;
}

export class ScheduleRepository {
  constructor(private readonly db: Database) {}

  async create(schedule: ScheduleRecord): Promise<void> {
    await this.db.models.Schedule.create(toRow(schedule));
  }

  /** Seeding from a file: inserts or replaces the definition, keeping the original creation time. */
  async upsert(schedule: ScheduleRecord): Promise<"created" | "updated" | "unchanged"> {
    const existing = await this.get(schedule.id);
    if (!existing) {
      try {
        await this.create(schedule);
        return "created";
      } catch (error) {
        // Another replica seeding the same file inserted it first.
        if (error instanceof UniqueConstraintError) return "unchanged";
        throw error;
      }
    }
    const { createdAt: _c, updatedAt: _u, ...next } = schedule;
    const { createdAt: _c2, updatedAt: _u2, ...before } = existing;
    // What is stored is redacted, so the definition given is compared as it would be stored.
    if (JSON.stringify({ ...next, input: redactValue(next.input) }) === JSON.stringify(before)) return "unchanged";
    const { created_at: _created, id: _id, ...row } = toRow(schedule);
    await this.db.models.Schedule.update(row, { where: { id: schedule.id } });
    return "updated";
  }

  /** Ids beginning with a typed prefix (at most `limit`): a unique prefix stands for the whole id. */
  idsStartingWith(prefix: string, limit = 2): Promise<string[]> {
    return idsStartingWith(this.db, "schedules", prefix, limit);
  }

  async get(id: string): Promise<ScheduleRecord | null> {
    const row = await this.db.models.Schedule.findByPk(id);
    return row ? toSchedule(row) : null;
  }

  async list(options: { enabledOnly?: boolean } = {}): Promise<ScheduleRecord[]> {
    const rows = await this.db.models.Schedule.findAll({
      where: options.enabledOnly ? { enabled: true } : {},
      order: [["created_at", "ASC"]],
    });
    return rows.map(toSchedule);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.models.Schedule.destroy({ where: { id } })) > 0;
  }

  /**
   * Claims one fire: a single insert against UNIQUE (schedule_id, fire_time). Of every process that
   * tries the same fire, exactly one gets the row; the rest get null and do nothing.
   */
  async claimFire(claim: {
    scheduleId: string;
    fireTime: Date;
    owner: string;
    now: Date;
    status?: FireStatus;
    detail?: string;
  }): Promise<number | null> {
    try {
      const row = await this.db.models.ScheduleFire.create({
        schedule_id: claim.scheduleId,
        fire_time: claim.fireTime,
        claimed_by: clip(claim.owner, 128),
        claimed_at: claim.now,
        status: claim.status ?? "claimed",
        detail: claim.detail === undefined ? null : redactSecrets(claim.detail),
        finished_at: claim.status && claim.status !== "claimed" ? claim.now : null,
      });
      return Number(row.id);
    } catch (error) {
      if (error instanceof UniqueConstraintError) return null;
      throw error;
    }
  }

  async finishFire(id: number, status: Exclude<FireStatus, "claimed">, detail: string | null, now: Date) {
    const stored = detail === null ? null : redactSecrets(detail);
    await this.db.models.ScheduleFire.update({ status, detail: stored, finished_at: now }, { where: { id } });
  }

  /** The latest claimed fire of a schedule (whatever became of it), for catching up after downtime. */
  async lastFire(scheduleId: string): Promise<ScheduleFire | null> {
    const row = await this.db.models.ScheduleFire.findOne({
      where: { schedule_id: scheduleId },
      order: [["fire_time", "DESC"]],
    });
    return row ? toFire(row) : null;
  }

  async fires(scheduleId: string, limit = 50): Promise<ScheduleFire[]> {
    const rows = await this.db.models.ScheduleFire.findAll({
      where: { schedule_id: scheduleId },
      order: [["fire_time", "DESC"]],
      limit,
    });
    return rows.map(toFire);
  }

  /**
   * Fires that ended badly or were skipped since a moment, and fires claimed before `staleBefore`
   * that never finished (their process died mid-action; they are not run again): status and the
   * digest report them.
   */
  async unsuccessfulFiresSince(since: Date, staleBefore: Date, limit = 20): Promise<ScheduleFire[]> {
    const rows = await this.db.models.ScheduleFire.findAll({
      where: {
        fire_time: { [Op.gte]: since },
        [Op.or]: [
          { status: { [Op.in]: ["failed", "skipped"] } },
          { status: "claimed", claimed_at: { [Op.lt]: staleBefore } },
        ],
      },
      order: [["fire_time", "DESC"]],
      limit,
    });
    return rows.map(toFire);
  }
}

function toRow(schedule: ScheduleRecord) {
  return {
    id: schedule.id,
    cron: schedule.cron,
    time_zone: schedule.timeZone,
    action: schedule.action,
    workflow: schedule.workflow,
    input: redactValue(schedule.input),
    platform: clip(schedule.platform, 32),
    channel: clip(schedule.channel, 128),
    enabled: schedule.enabled,
    missed_policy: schedule.missedPolicy,
    created_by: clip(schedule.createdBy, 128),
    source: clip(schedule.source, 256),
    created_at: schedule.createdAt,
    updated_at: schedule.updatedAt,
  };
}

function toSchedule(row: ScheduleRow): ScheduleRecord {
  return {
    id: row.id,
    cron: row.cron,
    timeZone: row.time_zone,
    action: row.action as ScheduleAction,
    workflow: row.workflow,
    input: (parseJson(row.input) as Record<string, string> | null) ?? {},
    platform: row.platform,
    channel: row.channel,
    enabled: Boolean(row.enabled),
    missedPolicy: row.missed_policy as MissedPolicy,
    createdBy: row.created_by,
    source: row.source,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function toFire(row: ScheduleFireRow): ScheduleFire {
  return {
    id: Number(row.id),
    scheduleId: row.schedule_id,
    fireTime: new Date(row.fire_time),
    claimedBy: row.claimed_by,
    claimedAt: new Date(row.claimed_at),
    status: row.status as FireStatus,
    detail: row.detail,
    finishedAt: row.finished_at ? new Date(row.finished_at) : null,
  };
}
