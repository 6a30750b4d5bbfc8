import { QueryTypes, UniqueConstraintError } from "sequelize";
import { redactSecrets } from "../../redact.js";
import type { Database } from "../database.js";
import { clip, clipKey } from "./columns.js";

export type SlackRecordKind = "message" | "ephemeral" | "click";

export interface SlackRecord {
  at: Date;
  kind: SlackRecordKind;
  workspace: string | null;
  channel: string;
  ts: string | null;
  threadTs: string | null;
  userId: string | null;
  /** Unique when set: an idempotency key or a click's trigger id. */
  key: string | null;
  detail: string | null;
}

const TABLE = "slack_messages";

/** Posted messages and clicks in Slack (migration 0004); single autocommit inserts, like the audit log. */
export class SlackMessageRepository {
  constructor(private readonly db: Database) {}

  /** false when a row with the same key exists already (a retry, or a click seen before). */
  async record(entry: SlackRecord): Promise<boolean> {
    try {
      await this.db.sequelize.getQueryInterface().bulkInsert(TABLE, [
        {
          created_at: entry.at,
          kind: entry.kind,
          workspace: clip(entry.workspace, 32),
          channel: clip(entry.channel, 64),
          ts: entry.ts,
          thread_ts: entry.threadTs,
          user_id: clip(entry.userId, 32),
          key: entry.key === null ? null : clipKey(entry.key, 256),
          detail: clip(entry.detail === null ? null : redactSecrets(entry.detail), 512),
        },
      ]);
      return true;
    } catch (error) {
      if (error instanceof UniqueConstraintError) return false;
      throw error;
    }
  }

  async findByKey(key: string): Promise<SlackRecord | null> {
    const rows = await this.db.sequelize.query<Record<string, unknown>>(`SELECT * FROM ${TABLE} WHERE key = :key`, {
      replacements: { key: clipKey(key, 256) },
      type: QueryTypes.SELECT,
    });
    const row = rows[0];
    return row ? toRecord(row) : null;
  }

  /** Newest first. */
  async list(options: { kind?: SlackRecordKind; channel?: string; limit?: number } = {}): Promise<SlackRecord[]> {
    const where: string[] = [];
    if (options.kind) where.push("kind = :kind");
    if (options.channel) where.push("channel = :channel");
    const rows = await this.db.sequelize.query<Record<string, unknown>>(
      `SELECT * FROM ${TABLE}${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT :limit`,
      {
        replacements: { kind: options.kind ?? null, channel: options.channel ?? null, limit: options.limit ?? 100 },
        type: QueryTypes.SELECT,
      },
    );
    return rows.map(toRecord);
  }
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function toRecord(row: Record<string, unknown>): SlackRecord {
  return {
    at: new Date(row.created_at as string | Date),
    kind: String(row.kind) as SlackRecordKind,
    workspace: text(row.workspace),
    channel: String(row.channel),
    ts: text(row.ts),
    threadTs: text(row.thread_ts),
    userId: text(row.user_id),
    key: text(row.key),
    detail: text(row.detail),
  };
}
