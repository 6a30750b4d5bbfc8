import {
  type CreationOptional,
  DataTypes,
  type InferAttributes,
  type InferCreationAttributes,
  Model,
  type Sequelize,
} from "sequelize";

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

const str = (allowNull: boolean) => ({ type: DataTypes.STRING, allowNull });
const date = (allowNull: boolean) => ({ type: DataTypes.DATE, allowNull });
const json = () => ({ type: DataTypes.JSON, allowNull: true });
const bigId = () => ({ type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true });

/** Per Sequelize instance, like defineModels (two databases in one process never share a binding). */
export function defineScheduleModels(sequelize: Sequelize): ScheduleModels {
  const common = { sequelize, timestamps: false, underscored: true } as const;
  class Schedule extends ScheduleRow {}
  Schedule.init(
    {
      id: { type: DataTypes.STRING, primaryKey: true },
      cron: str(false),
      time_zone: str(false),
      action: str(false),
      workflow: str(true),
      input: json(),
      platform: str(false),
      channel: str(true),
      enabled: { type: DataTypes.BOOLEAN, allowNull: false },
      missed_policy: str(false),
      created_by: str(false),
      source: str(false),
      created_at: date(false),
      updated_at: date(false),
    },
    { ...common, tableName: "schedules", modelName: "Schedule" },
  );
  class ScheduleFire extends ScheduleFireRow {}
  ScheduleFire.init(
    {
      id: bigId(),
      schedule_id: str(false),
      fire_time: date(false),
      claimed_by: str(false),
      claimed_at: date(false),
      status: str(false),
      detail: { type: DataTypes.TEXT, allowNull: true },
      finished_at: date(true),
    },
    { ...common, tableName: "schedule_fires", modelName: "ScheduleFire" },
  );
  class OrchestratorSetting extends OrchestratorSettingRow {}
  OrchestratorSetting.init(
    {
      key: { type: DataTypes.STRING, primaryKey: true },
      value: str(false),
      updated_by: str(true),
      updated_at: date(false),
    },
    { ...common, tableName: "orchestrator_settings", modelName: "OrchestratorSetting" },
  );
  class OrchestratorRun extends OrchestratorRunRow {}
  OrchestratorRun.init(
    {
      id: { type: DataTypes.STRING, primaryKey: true },
      trigger: str(false),
      triggered_by: str(false),
      mode: str(false),
      started_at: date(false),
      finished_at: date(true),
      decisions: json(),
      actions: json(),
      stats_before: json(),
      stats_after: json(),
      outcome: str(false),
    },
    { ...common, tableName: "orchestrator_runs", modelName: "OrchestratorRun" },
  );
  class DigestDelivery extends DigestDeliveryRow {}
  DigestDelivery.init(
    {
      id: bigId(),
      idempotency_key: str(false),
      platform: str(false),
      channel: str(false),
      period_start: date(false),
      period_end: date(false),
      status: str(false),
      attempts: { type: DataTypes.INTEGER, allowNull: false },
      message_id: str(true),
      last_error: { type: DataTypes.TEXT, allowNull: true },
      requested_by: str(false),
      created_at: date(false),
      delivered_at: date(true),
      reported_at: date(true),
    },
    { ...common, tableName: "digest_deliveries", modelName: "DigestDelivery" },
  );
  return { Schedule, ScheduleFire, OrchestratorSetting, OrchestratorRun, DigestDelivery };
}
