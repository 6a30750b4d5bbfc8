import {
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  Model,
  type Sequelize,
} from "sequelize";
import { date, id, json, key, reqBool, reqDate, reqInt, reqStr, str, text } from "./columns.js";

/** Row shapes of migration 0006 (schedules, fires, orchestrator settings and runs, digest deliveries). */

export class ScheduleRow extends Model<InferAttributes<ScheduleRow>, InferCreationAttributes<ScheduleRow>> {
  declare id: string;
  declare cron: string;
  declare time_zone: string;
  declare action: string;
  declare workflow: string | null;
  declare input: unknown;
  declare platform: string;
  declare channel: string | null;
  declare enabled: boolean;
  declare missed_policy: string;
  declare created_by: string;
  declare source: string;
  declare created_at: Date;
  declare updated_at: Date;
}

export class ScheduleFireRow extends Model<InferAttributes<ScheduleFireRow>, InferCreationAttributes<ScheduleFireRow>> {
  declare id: CreationOptional<number>;
  declare schedule_id: string;
  declare fire_time: Date;
  declare claimed_by: string;
  declare claimed_at: Date;
  declare status: string;
  declare detail: string | null;
  declare finished_at: Date | null;
}

export class OrchestratorSettingRow extends Model<
  InferAttributes<OrchestratorSettingRow>,
  InferCreationAttributes<OrchestratorSettingRow>
> {
  declare key: string;
  declare value: string;
  declare updated_by: string | null;
  declare updated_at: Date;
}

export class OrchestratorRunRow extends Model<
  InferAttributes<OrchestratorRunRow>,
  InferCreationAttributes<OrchestratorRunRow>
> {
  declare id: string;
  declare trigger: string;
  declare triggered_by: string;
  declare mode: string;
  declare started_at: Date;
  declare finished_at: Date | null;
  declare decisions: unknown;
  declare actions: unknown;
  declare stats_before: unknown;
  declare stats_after: unknown;
  declare outcome: string;
}

export class DigestDeliveryRow extends Model<
  InferAttributes<DigestDeliveryRow>,
  InferCreationAttributes<DigestDeliveryRow>
> {
  declare id: CreationOptional<number>;
  declare idempotency_key: string;
  declare platform: string;
  declare channel: string;
  declare period_start: Date;
  declare period_end: Date;
  declare status: string;
  declare attempts: number;
  declare message_id: string | null;
  declare last_error: string | null;
  declare requested_by: string;
  declare created_at: Date;
  declare delivered_at: Date | null;
  declare reported_at: Date | null;
}

export interface ScheduleModels {
  Schedule: typeof ScheduleRow;
  ScheduleFire: typeof ScheduleFireRow;
  OrchestratorSetting: typeof OrchestratorSettingRow;
  OrchestratorRun: typeof OrchestratorRunRow;
  DigestDelivery: typeof DigestDeliveryRow;
}

/** Per Sequelize instance, like defineModels (two databases in one process never share a binding). */
export function defineScheduleModels(sequelize: Sequelize): ScheduleModels {
  const common = { sequelize, timestamps: false, underscored: true } as const;
  class Schedule extends ScheduleRow {}
  Schedule.init(
    {
      id: key(),
      cron: reqStr(),
      time_zone: reqStr(),
      action: reqStr(),
      workflow: str(),
      input: json(),
      platform: reqStr(),
      channel: str(),
      enabled: reqBool(),
      missed_policy: reqStr(),
      created_by: reqStr(),
      source: reqStr(),
      created_at: reqDate(),
      updated_at: reqDate(),
    },
    { ...common, tableName: "schedules", modelName: "Schedule" },
  );
  class ScheduleFire extends ScheduleFireRow {}
  ScheduleFire.init(
    {
      id: id(),
      schedule_id: reqStr(),
      fire_time: reqDate(),
      claimed_by: reqStr(),
      claimed_at: reqDate(),
      status: reqStr(),
      detail: text(),
      finished_at: date(),
    },
    { ...common, tableName: "schedule_fires", modelName: "ScheduleFire" },
  );
  class OrchestratorSetting extends OrchestratorSettingRow {}
  OrchestratorSetting.init(
    {
      key: key(),
      value: reqStr(),
      updated_by: str(),
      updated_at: reqDate(),
    },
    { ...common, tableName: "orchestrator_settings", modelName: "OrchestratorSetting" },
  );
  class OrchestratorRun extends OrchestratorRunRow {}
  OrchestratorRun.init(
    {
      id: key(),
      trigger: reqStr(),
      triggered_by: reqStr(),
      mode: reqStr(),
      started_at: reqDate(),
      finished_at: date(),
      decisions: json(),
      actions: json(),
      stats_before: json(),
      stats_after: json(),
      outcome: reqStr(),
    },
    { ...common, tableName: "orchestrator_runs", modelName: "OrchestratorRun" },
  );
  class DigestDelivery extends DigestDeliveryRow {}
  DigestDelivery.init(
    {
      id: id(),
      idempotency_key: reqStr(),
      platform: reqStr(),
      channel: reqStr(),
      period_start: reqDate(),
      period_end: reqDate(),
      status: reqStr(),
      attempts: reqInt(),
      message_id: str(),
      last_error: text(),
      requested_by: reqStr(),
      created_at: reqDate(),
      delivered_at: date(),
      reported_at: date(),
    },
    { ...common, tableName: "digest_deliveries", modelName: "DigestDelivery" },
  );
  return { Schedule, ScheduleFire, OrchestratorSetting, OrchestratorRun, DigestDelivery };
}
