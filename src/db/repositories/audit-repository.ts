import { col, fn, Op, where as sqlWhere, UniqueConstraintError, type WhereOptions } from "sequelize";
import type { Database } from "../database.js";
import type { AuditEntryRow } from "../models.js";
import { clip, clipKey } from "./columns.js";

export type AuditOutcome = "pending" | "ok" | "denied" | "invalid" | "unavailable" | "error";

/** Written when a request arrives, before any work, so nothing accepted is lost. */
export interface AuditOpening {
  at: Date;
  platform: string;
  workspace: string | null;
  channel: string | null;
  thread: string | null;
  actorId: string;
  actorName: string | null;
  /** Already redacted by the caller. */
  text: string;
  dedupeKey: string;
}

/** Written when the request has its outcome, whatever happened. */
export interface AuditClosing {
  finishedAt: Date;
  command: unknown;
  commandType: string | null;
  resolvedBy: string | null;
  confidence: number | null;
  outcome: Exclude<AuditOutcome, "pending">;
  errorCode: string | null;
  errorMessage: string | null;
  durationMs: number;
  executionId: string | null;
  llm: { inputTokens: number; outputTokens: number; costUsd: number } | null;
}

export interface AuditEntry extends AuditOpening {
  id: number;
  finishedAt: Date | null;
  command: unknown;
  commandType: string | null;
  resolvedBy: string | null;
  confidence: number | null;
  outcome: AuditOutcome;
  errorCode: string | null;
  errorMessage: string | null;
  durationMs: number | null;
  executionId: string | null;
  llmInputTokens: number | null;
  llmOutputTokens: number | null;
  llmCostUsd: number | null;
}

export class AuditRepository {
  constructor(private readonly db: Database) {}

  /**
   * One autocommit insert (no transaction: DESIGN.md). The dedupe key is unique per platform event,
   * so a redelivered event finds its row taken and is answered once.
   */
  async open(entry: AuditOpening): Promise<{ id: number } | "duplicate"> {
    try {
      const row = await this.db.models.AuditEntry.create({
        created_at: entry.at,
        finished_at: null,
        platform: clip(entry.platform, 32),
        workspace: clip(entry.workspace, 128),
        channel: clip(entry.channel, 128),
        thread: clip(entry.thread, 128),
        actor_id: clip(entry.actorId, 128),
        actor_name: clip(entry.actorName, 256),
        text: entry.text,
        command: null,
        command_type: null,
        resolved_by: null,
        confidence: null,
        outcome: "pending",
        error_code: null,
        error_message: null,
        duration_ms: null,
        llm_input_tokens: null,
        llm_output_tokens: null,
        llm_cost_usd: null,
        execution_id: null,
        dedupe_key: clipKey(entry.dedupeKey, 256),
      });
      return { id: Number(row.id) };
    } catch (error) {
      if (error instanceof UniqueConstraintError) return "duplicate";
      throw error;
    }
  }

  async close(id: number, closing: AuditClosing): Promise<void> {
    await this.db.models.AuditEntry.update(
      {
        finished_at: closing.finishedAt,
        command: closing.command,
        command_type: closing.commandType,
        resolved_by: closing.resolvedBy,
        confidence: closing.confidence,
        outcome: closing.outcome,
        error_code: closing.errorCode,
        error_message: closing.errorMessage,
        duration_ms: Math.round(closing.durationMs),
        execution_id: closing.executionId,
        llm_input_tokens: closing.llm?.inputTokens ?? null,
        llm_output_tokens: closing.llm?.outputTokens ?? null,
        llm_cost_usd: closing.llm ? closing.llm.costUsd.toFixed(6) : null,
      },
      { where: { id } },
    );
  }

  /** Newest first. `actor` matches the actor id or name exactly (case-insensitive for names). */
  async recent(options: { limit: number; actor?: string; excludeId?: number }): Promise<AuditEntry[]> {
    const conditions: WhereOptions[] = [];
    if (options.actor) {
      const name = sqlWhere(fn("lower", col("actor_name")), options.actor.toLowerCase());
      conditions.push({ [Op.or]: [{ actor_id: options.actor }, name] });
    }
    if (options.excludeId !== undefined) conditions.push({ id: { [Op.ne]: options.excludeId } });
    const where: WhereOptions = { [Op.and]: conditions };
    const rows = await this.db.models.AuditEntry.findAll({
      where,
      order: [
        ["created_at", "DESC"],
        ["id", "DESC"],
      ],
      limit: options.limit,
    });
    return rows.map(toEntry);
  }

  /**
   * The conversation a request belongs to, oldest first: earlier requests in the same thread, or
   * (outside threads) the same person's in the same channel. Leaves out `excludeId`.
   */
  async conversation(where: {
    platform: string;
    channel: string | null;
    thread: string | null;
    actorId: string;
    excludeId: number;
    limit: number;
    since: Date;
  }): Promise<AuditEntry[]> {
    if (where.limit === 0) return [];
    const scope = where.thread !== null ? { thread: where.thread } : { actor_id: where.actorId };
    const rows = await this.db.models.AuditEntry.findAll({
      where: {
        platform: where.platform,
        channel: where.channel,
        ...scope,
        id: { [Op.ne]: where.excludeId },
        created_at: { [Op.gte]: where.since },
      },
      order: [
        ["created_at", "DESC"],
        ["id", "DESC"],
      ],
      limit: where.limit,
    });
    return rows.map(toEntry).reverse();
  }

  async get(id: number): Promise<AuditEntry | null> {
    const row = await this.db.models.AuditEntry.findByPk(id);
    return row ? toEntry(row) : null;
  }

  /** Requests still pending when a process died: recorded as interrupted, never left open. */
  async closeAbandoned(now: Date, olderThan: Date): Promise<number> {
    const [count] = await this.db.models.AuditEntry.update(
      {
        outcome: "error",
        error_code: "interrupted",
        error_message: "baton stopped before this request finished.",
        finished_at: now,
      },
      { where: { outcome: "pending", created_at: { [Op.lt]: olderThan } } },
    );
    return count;
  }
}

function toEntry(row: AuditEntryRow): AuditEntry {
  return {
    id: Number(row.id),
    at: new Date(row.created_at),
    finishedAt: row.finished_at ? new Date(row.finished_at) : null,
    platform: row.platform,
    workspace: row.workspace,
    channel: row.channel,
    thread: row.thread,
    actorId: row.actor_id,
    actorName: row.actor_name,
    text: row.text,
    dedupeKey: row.dedupe_key,
    command: parseJson(row.command),
    commandType: row.command_type,
    resolvedBy: row.resolved_by,
    confidence: row.confidence,
    outcome: row.outcome as AuditOutcome,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    durationMs: row.duration_ms,
    executionId: row.execution_id,
    llmInputTokens: row.llm_input_tokens,
    llmOutputTokens: row.llm_output_tokens,
    llmCostUsd: row.llm_cost_usd === null ? null : Number(row.llm_cost_usd),
  };
}

/** SQLite hands JSON columns back as text on raw paths; PostgreSQL as objects. */
export function parseJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
