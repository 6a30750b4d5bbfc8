import { UniqueConstraintError } from "sequelize";
import { redactValue } from "../../redact.js";
import type { Database } from "../database.js";
import type { OrchestratorRunRow } from "../models-schedules.js";
import { parseJson } from "./audit-repository.js";
import { clip } from "./columns.js";

/** One thing an orchestrator step looked at, what it decided, why, and how that went. */
export interface StepDecision {
  subject: string;
  decision: string;
  reason: string;
  outcome: string;
}

export type StepStats = Record<string, number>;

export interface OrchestratorRunRecord {
  id: string;
  /** command | schedule | continuous */
  trigger: string;
  triggeredBy: string;
  mode: string;
  startedAt: Date;
  finishedAt: Date | null;
  decisions: StepDecision[];
  actions: string[];
  statsBefore: StepStats;
  statsAfter: StepStats;
  outcome: "ok" | "error";
}

export interface ModeSetting {
  mode: string;
  updatedBy: string | null;
  updatedAt: Date;
}

/** The orchestrator's persisted state: its mode, and the journal of its steps. */
export class OrchestratorRunRepository {
  constructor(private readonly db: Database) {}

  async mode(): Promise<ModeSetting | null> {
    const row = await this.db.models.OrchestratorSetting.findByPk("mode");
    return row ? { mode: row.value, updatedBy: row.updated_by, updatedAt: new Date(row.updated_at) } : null;
  }

  async setMode(mode: string, by: string, now: Date): Promise<void> {
    const values = { value: mode, updated_by: clip(by, 128), updated_at: now };
    const [count] = await this.db.models.OrchestratorSetting.update(values, { where: { key: "mode" } });
    if (count > 0) return;
    try {
      await this.db.models.OrchestratorSetting.create({ key: "mode", ...values });
    } catch (error) {
      // Another replica inserted it first: the update now finds the row.
      if (!(error instanceof UniqueConstraintError)) throw error;
      await this.db.models.OrchestratorSetting.update(values, { where: { key: "mode" } });
    }
  }

  async record(run: OrchestratorRunRecord): Promise<void> {
    await this.db.models.OrchestratorRun.create({
      id: run.id,
      trigger: run.trigger,
      triggered_by: clip(run.triggeredBy, 128),
      mode: run.mode,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
      decisions: redactValue(run.decisions),
      actions: redactValue(run.actions),
      stats_before: run.statsBefore,
      stats_after: run.statsAfter,
      outcome: run.outcome,
    });
  }

  async recent(limit: number): Promise<OrchestratorRunRecord[]> {
    const rows = await this.db.models.OrchestratorRun.findAll({
      order: [
        ["started_at", "DESC"],
        ["id", "DESC"],
      ],
      limit,
    });
    return rows.map(toRun);
  }

  async last(): Promise<OrchestratorRunRecord | null> {
    return (await this.recent(1))[0] ?? null;
  }
}

function toRun(row: OrchestratorRunRow): OrchestratorRunRecord {
  return {
    id: row.id,
    trigger: row.trigger,
    triggeredBy: row.triggered_by,
    mode: row.mode,
    startedAt: new Date(row.started_at),
    finishedAt: row.finished_at ? new Date(row.finished_at) : null,
    decisions: (parseJson(row.decisions) as StepDecision[] | null) ?? [],
    actions: (parseJson(row.actions) as string[] | null) ?? [],
    statsBefore: (parseJson(row.stats_before) as StepStats | null) ?? {},
    statsAfter: (parseJson(row.stats_after) as StepStats | null) ?? {},
    outcome: row.outcome as "ok" | "error",
  };
}
