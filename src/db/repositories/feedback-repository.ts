import { Op } from "sequelize";
import { redactSecrets } from "../../redact.js";
import type { Database } from "../database.js";
import type { FeedbackRow } from "../models-agents.js";
import { clip } from "./columns.js";

/** `awaiting_review`: stored, no proposal yet (no LLM, or it could not propose); the digest lists these. */
export type FeedbackStatus = "awaiting_review" | "proposing" | "proposed" | "applied" | "discarded";

export interface FeedbackRecord {
  id: number;
  at: Date;
  actorId: string;
  executionId: string | null;
  workflowName: string | null;
  workflowVersion: number | null;
  text: string;
  status: FeedbackStatus;
  channel: string | null;
  thread: string | null;
}

export class FeedbackRepository {
  constructor(private readonly db: Database) {}

  async create(feedback: Omit<FeedbackRecord, "id">): Promise<FeedbackRecord> {
    const row = await this.db.models.Feedback.create({
      created_at: feedback.at,
      actor_id: clip(feedback.actorId, 128),
      execution_id: feedback.executionId,
      workflow_name: feedback.workflowName,
      workflow_version: feedback.workflowVersion,
      text: redactSecrets(feedback.text),
      status: feedback.status,
      channel: clip(feedback.channel, 255),
      thread: clip(feedback.thread, 255),
    });
    return toRecord(row);
  }

  async get(id: number): Promise<FeedbackRecord | null> {
    const row = await this.db.models.Feedback.findByPk(id);
    return row ? toRecord(row) : null;
  }

  async setStatus(id: number, status: FeedbackStatus): Promise<void> {
    await this.db.models.Feedback.update({ status }, { where: { id } });
  }

  /** Feedback nobody has acted on yet, oldest first (status and the digest show these). */
  async awaitingReview(limit = 50): Promise<FeedbackRecord[]> {
    const rows = await this.db.models.Feedback.findAll({
      where: { status: { [Op.in]: ["awaiting_review", "proposed"] } },
      order: [["id", "ASC"]],
      limit,
    });
    return rows.map(toRecord);
  }

  /** The newest execution this person started (what `/improve` attaches to by default). */
  /** The latest run any of these requester ids started (one person's linked accounts). */
  async lastExecutionBy(actorIds: readonly string[]): Promise<{ id: string } | null> {
    const row = await this.db.models.Execution.findOne({
      where: { requested_by: [...actorIds] },
      order: [
        ["created_at", "DESC"],
        ["id", "DESC"],
      ],
      attributes: ["id"],
    });
    return row ? { id: row.id } : null;
  }
}

function toRecord(row: FeedbackRow): FeedbackRecord {
  return {
    id: Number(row.id),
    at: new Date(row.created_at),
    actorId: row.actor_id,
    executionId: row.execution_id,
    workflowName: row.workflow_name,
    workflowVersion: row.workflow_version,
    text: row.text,
    status: row.status as FeedbackStatus,
    channel: row.channel,
    thread: row.thread,
  };
}
