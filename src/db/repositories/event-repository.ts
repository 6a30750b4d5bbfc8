import { Op } from "sequelize";
import type { Database } from "../database.js";
import type { EventRow } from "../models-agents.js";
import { parseJson } from "./audit-repository.js";
import { clip } from "./columns.js";

/** One persisted orchestrator event (the digest and pattern detection read these). */
export interface StoredEvent {
  id: number;
  at: Date;
  type: string;
  executionId: string | null;
  agentId: string | null;
  actorId: string | null;
  payload: Record<string, unknown>;
}

export type NewEvent = Omit<StoredEvent, "id">;

export class EventRepository {
  constructor(private readonly db: Database) {}

  /**
   * One multi-row INSERT (autocommit) through the query interface: no model instance per row, which
   * is most of what a burst of events would otherwise cost (bench:events).
   */
  async append(events: readonly NewEvent[]): Promise<void> {
    if (events.length === 0) return;
    const { Event } = this.db.models;
    await this.db.sequelize.getQueryInterface().bulkInsert(
      "events",
      events.map((event) => ({
        created_at: event.at,
        type: clip(event.type, 64),
        execution_id: clip(event.executionId, 64),
        agent_id: clip(event.agentId, 64),
        actor_id: clip(event.actorId, 128),
        payload: event.payload,
      })),
      {},
      Event.getAttributes(),
    );
  }

  /** Events at or after `since`, oldest first, optionally only of the given types. */
  async since(since: Date, types?: readonly string[], limit = 1000): Promise<StoredEvent[]> {
    const rows = await this.db.models.Event.findAll({
      where: { created_at: { [Op.gte]: since }, ...(types && types.length > 0 && { type: { [Op.in]: [...types] } }) },
      order: [["id", "ASC"]],
      limit,
    });
    return rows.map(toEvent);
  }

  /** The newest events of one execution (why did it fail, what waited). */
  async forExecution(executionId: string, limit = 200): Promise<StoredEvent[]> {
    const rows = await this.db.models.Event.findAll({
      where: { execution_id: executionId },
      order: [["id", "ASC"]],
      limit,
    });
    return rows.map(toEvent);
  }
}

/**
 * Commands one person ran successfully since a moment, from the audit log (pattern detection reads
 * the request shapes; the audit log is where every command is recorded).
 */
export async function commandsSince(
  db: Database,
  where: { actorId: string; commandType: string; since: Date },
): Promise<unknown[]> {
  const rows = await db.models.AuditEntry.findAll({
    where: {
      actor_id: where.actorId,
      command_type: where.commandType,
      outcome: "ok",
      created_at: { [Op.gte]: where.since },
    },
    attributes: ["command"],
    order: [["id", "DESC"]],
    limit: 500,
  });
  return rows.map((row) => parseJson(row.command));
}

function toEvent(row: EventRow): StoredEvent {
  const payload = parseJson(row.payload);
  return {
    id: Number(row.id),
    at: new Date(row.created_at),
    type: row.type,
    executionId: row.execution_id,
    agentId: row.agent_id,
    actorId: row.actor_id,
    payload: payload !== null && typeof payload === "object" ? (payload as Record<string, unknown>) : {},
  };
}
