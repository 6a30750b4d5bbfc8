import { Op } from "sequelize";
import { redactValue } from "../../redact.js";
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

/** Events per INSERT statement (a bounded set of prepared statements: sizes 1…CHUNK). */
const CHUNK = 50;

export class EventRepository {
  constructor(private readonly db: Database) {}

  /**
   * One multi-row INSERT (autocommit) through the query interface: no model instance per row, which
   * is most of what a burst of events would otherwise cost (bench:events).
   */
  /**
   * One plain multi-row INSERT per CHUNK events (the engine's steps feed this constantly; through
   * the query interface each batch cost several times more).
   */
  async append(events: readonly NewEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += CHUNK) {
      const chunk = events.slice(start, start + CHUNK);
      const rows = chunk.map(() => "(?, ?, ?, ?, ?, ?)").join(", ");
      await this.db.raw.run(
        `INSERT INTO events (created_at, type, execution_id, agent_id, actor_id, payload) VALUES ${rows}`,
        chunk.flatMap((event) => [
          event.at,
          clip(event.type, 64),
          clip(event.executionId, 64),
          clip(event.agentId, 64),
          clip(event.actorId, 128),
          { json: redactValue(event.payload) },
        ]),
      );
    }
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

  /** Events after the one with id `after` (0: from the first), oldest first: a stream's resume point. */
  async after(after: number, limit = 500): Promise<StoredEvent[]> {
    const rows = await this.db.models.Event.findAll({
      where: { id: { [Op.gt]: after } },
      order: [["id", "ASC"]],
      limit,
    });
    return rows.map(toEvent);
  }

  /** The id of the newest event (0 when there is none): where a stream without Last-Event-ID starts. */
  async latestId(): Promise<number> {
    const row = await this.db.raw.get<{ id: unknown }>("SELECT MAX(id) AS id FROM events", []);
    return row?.id === null || row?.id === undefined ? 0 : Number(row.id);
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
  where: { accounts: readonly string[]; commandType: string; since: Date },
): Promise<unknown[]> {
  // One person's accounts (`platform:id`, linked ones included); a person has a handful at most.
  const accounts = where.accounts.slice(0, 20).map((account) => {
    const at = account.indexOf(":");
    return [account.slice(0, at), account.slice(at + 1)];
  });
  if (accounts.length === 0) return [];
  const who = accounts.map(() => "(platform = ? AND actor_id = ?)").join(" OR ");
  // Plain SQL: it runs for every workflow run (pattern detection), on the (actor, time) index.
  const rows = await db.raw.all<{ command: unknown }>(
    `SELECT command FROM audit_entries WHERE (${who}) AND created_at >= ? AND command_type = ? AND outcome = 'ok'
     ORDER BY id DESC LIMIT 500`,
    [...accounts.flat(), where.since, where.commandType],
  );
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
