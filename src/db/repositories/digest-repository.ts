import { Op, QueryTypes, UniqueConstraintError } from "sequelize";
import { redactSecrets } from "../../redact.js";
import type { Database } from "../database.js";
import type { DigestDeliveryRow } from "../models-schedules.js";
import { clip, clipKey } from "./columns.js";

export type DeliveryStatus = "pending" | "delivered" | "failed";

export interface DigestDeliveryRecord {
  id: number;
  idempotencyKey: string;
  platform: string;
  channel: string;
  periodStart: Date;
  periodEnd: Date;
  status: DeliveryStatus;
  attempts: number;
  messageId: string | null;
  lastError: string | null;
  requestedBy: string;
  createdAt: Date;
  deliveredAt: Date | null;
  reportedAt: Date | null;
}

export interface FailedExecution {
  id: string;
  workflowName: string;
  errorCode: string | null;
  errorMessage: string | null;
  requestedBy: string;
  at: Date;
}

export interface Requester {
  actorId: string;
  requests: number;
}

export interface Period {
  start: Date;
  end: Date;
}

/** What a digest reads (executions, audit log, ledger) and where each digest was delivered. */
export class DigestRepository {
  constructor(private readonly db: Database) {}

  /** Executions created in the period, by status. */
  async runsByStatus(period: Period): Promise<Record<string, number>> {
    const rows = await this.db.sequelize.query<{ status: string; count: number | string }>(
      "SELECT status, COUNT(*) AS count FROM executions WHERE created_at >= :start AND created_at < :end GROUP BY status",
      { replacements: { start: period.start, end: period.end }, type: QueryTypes.SELECT },
    );
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }

  /** Executions that failed in the period, newest first. */
  async failures(period: Period, limit: number): Promise<FailedExecution[]> {
    const rows = await this.db.models.Execution.findAll({
      attributes: ["id", "workflow_name", "error_code", "error_message", "requested_by", "created_at"],
      where: { status: "failed", created_at: { [Op.gte]: period.start, [Op.lt]: period.end } },
      order: [["created_at", "DESC"]],
      limit,
    });
    return rows.map((row) => ({
      id: row.id,
      workflowName: row.workflow_name,
      errorCode: row.error_code,
      errorMessage: row.error_message,
      requestedBy: row.requested_by,
      at: new Date(row.created_at),
    }));
  }

  /** Requests per actor in the period, busiest first: one pass over the (created_at, actor_id) index. */
  async requestsByActor(period: Period): Promise<Requester[]> {
    const rows = await this.db.sequelize.query<{ actor_id: string; count: number | string }>(
      "SELECT actor_id, COUNT(*) AS count FROM audit_entries WHERE created_at >= :start AND created_at < :end GROUP BY actor_id",
      { replacements: { start: period.start, end: period.end }, type: QueryTypes.SELECT },
    );
    return rows
      .map((row) => ({ actorId: row.actor_id, requests: Number(row.count) }))
      .sort((a, b) => b.requests - a.requests || a.actorId.localeCompare(b.actorId));
  }

  /** LLM spend (USD) per consecutive period, from the llm_calls ledger. */
  async spendPerPeriod(periods: Period[]): Promise<number[]> {
    return Promise.all(
      periods.map(async (period) => {
        const [row] = await this.db.sequelize.query<{ cost: number | string | null }>(
          "SELECT SUM(cost_usd) AS cost FROM llm_calls WHERE created_at >= :start AND created_at < :end",
          { replacements: { start: period.start, end: period.end }, type: QueryTypes.SELECT },
        );
        return Number(row?.cost ?? 0);
      }),
    );
  }

  /**
   * Opens the delivery of one digest. The idempotency key is unique: a second open of the same
   * delivery returns the existing row, so one digest is never delivered twice.
   */
  async openDelivery(delivery: {
    idempotencyKey: string;
    platform: string;
    channel: string;
    period: Period;
    requestedBy: string;
    now: Date;
  }): Promise<{ record: DigestDeliveryRecord; created: boolean }> {
    const key = clipKey(delivery.idempotencyKey, 256);
    try {
      const row = await this.db.models.DigestDelivery.create({
        idempotency_key: key,
        platform: clip(delivery.platform, 32),
        channel: clip(delivery.channel, 128),
        period_start: delivery.period.start,
        period_end: delivery.period.end,
        status: "pending",
        attempts: 0,
        message_id: null,
        last_error: null,
        requested_by: clip(delivery.requestedBy, 128),
        created_at: delivery.now,
        delivered_at: null,
        reported_at: null,
      });
      return { record: toDelivery(row), created: true };
    } catch (error) {
      if (!(error instanceof UniqueConstraintError)) throw error;
      const existing = await this.db.models.DigestDelivery.findOne({ where: { idempotency_key: key } });
      if (!existing) throw error;
      return { record: toDelivery(existing), created: false };
    }
  }

  async recordAttempt(id: number, attempts: number, error: string | null): Promise<void> {
    const stored = error === null ? null : redactSecrets(error);
    await this.db.models.DigestDelivery.update({ attempts, last_error: stored }, { where: { id } });
  }

  async markDelivered(id: number, messageId: string, now: Date): Promise<void> {
    await this.db.models.DigestDelivery.update(
      { status: "delivered", message_id: clip(messageId, 128), delivered_at: now },
      { where: { id } },
    );
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.db.models.DigestDelivery.update(
      { status: "failed", last_error: redactSecrets(error) },
      { where: { id } },
    );
  }

  /** Digests that could not be delivered and have not yet been reported in a later digest. */
  async undelivered(limit = 20): Promise<DigestDeliveryRecord[]> {
    const rows = await this.db.models.DigestDelivery.findAll({
      where: { status: "failed", reported_at: null },
      order: [["created_at", "DESC"]],
      limit,
    });
    return rows.map(toDelivery);
  }

  async markReported(ids: number[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.db.models.DigestDelivery.update({ reported_at: now }, { where: { id: { [Op.in]: ids } } });
  }

  async deliveries(limit = 20): Promise<DigestDeliveryRecord[]> {
    const rows = await this.db.models.DigestDelivery.findAll({ order: [["id", "DESC"]], limit });
    return rows.map(toDelivery);
  }
}

function toDelivery(row: DigestDeliveryRow): DigestDeliveryRecord {
  return {
    id: Number(row.id),
    idempotencyKey: row.idempotency_key,
    platform: row.platform,
    channel: row.channel,
    periodStart: new Date(row.period_start),
    periodEnd: new Date(row.period_end),
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    messageId: row.message_id,
    lastError: row.last_error,
    requestedBy: row.requested_by,
    createdAt: new Date(row.created_at),
    deliveredAt: row.delivered_at ? new Date(row.delivered_at) : null,
    reportedAt: row.reported_at ? new Date(row.reported_at) : null,
  };
}
