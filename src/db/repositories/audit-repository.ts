import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { col, fn, Op, where as sqlWhere, UniqueConstraintError, type WhereOptions } from "sequelize";
import { type Clock, systemClock } from "../../clock.js";
import type { Database } from "../database.js";
import type { AuditEntryRow } from "../models.js";
import { AuditChain, type ClosedRow } from "./audit-chain.js";
import { type AuditClosingColumns, closingColumns, INTERRUPTED, openingOf } from "./audit-columns.js";
import { clip, clipKey } from "./columns.js";

/** `interrupted`: the process handling the request died before it finished (closed by another's sweep). */
export type AuditOutcome = "pending" | "ok" | "denied" | "invalid" | "unavailable" | "error" | "interrupted";

/** A request's earlier turns: in its thread, or (outside threads) by its person in its channel. */
export interface ConversationQuery {
  platform: string;
  channel: string | null;
  thread: string | null;
  actorId: string;
  excludeId: number;
  limit: number;
  since: Date;
}

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

export interface AuditRepositoryOptions {
  /** Names this process on the rows it opens (default: host, pid and a random tag). */
  owner?: string;
  /** How long an open row stays vouched for without a renewal (BATON_LEASE_MS). */
  leaseMs?: number;
  clock?: Clock;
}

/** Rows written before leases existed carry none: they count as abandoned after this long. */
const UNLEASED_AFTER_MS = 15 * 60_000;

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
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly clock: Clock;
  private readonly chain: AuditChain;
  /** Rows this process opened and has not closed yet, with what was written at open (hashed at close). */
  private readonly openRows = new Map<number, Omit<ClosedRow, keyof AuditClosingColumns>>();

  /** Requests this process has opened a row for and not closed yet (metrics: audit rows pending). */
  get openCount(): number {
    return this.openRows.size;
  }

  constructor(
    private readonly db: Database,
    options: AuditRepositoryOptions = {},
  ) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.clock = options.clock ?? systemClock;
    this.chain = new AuditChain(db);
  }

  /**
   * One autocommit insert (no transaction: DESIGN.md). The dedupe key is unique per platform event,
   * so a redelivered event finds its row taken and is answered once. The row carries this process
   * as its owner and a lease the process renews while the request is open (renewOpen).
   */
  async open(entry: AuditOpening): Promise<{ id: number } | "duplicate"> {
    const opening = {
      created_at: entry.at,
      platform: clip(entry.platform, 32),
      workspace: clip(entry.workspace, 128),
      channel: clip(entry.channel, 128),
      thread: clip(entry.thread, 128),
      actor_id: clip(entry.actorId, 128),
      actor_name: clip(entry.actorName, 256),
      text: entry.text,
      dedupe_key: clipKey(entry.dedupeKey, 256),
      owner: this.owner,
    };
    try {
      const row = await this.db.models.AuditEntry.create({
        ...opening,
        ...closingColumns(null),
        outcome: "pending",
        lease_until: this.leaseEnd(),
        seq: null,
        prev_hash: null,
        hash: null,
      });
      const id = Number(row.id);
      this.openRows.set(id, { id, ...opening });
      return { id };
    } catch (error) {
      if (error instanceof UniqueConstraintError) return "duplicate";
      throw error;
    }
  }

  /**
   * Writes the outcome and chains the row (audit-chain.ts), in one statement. A row a sweep already
   * closed as interrupted stays as it is: chained rows never change.
   */
  async close(id: number, closing: AuditClosing): Promise<void> {
    const opening = this.openRows.get(id) ?? (await this.openingOf(id));
    try {
      if (opening) await this.chain.append({ ...opening, ...closingColumns(closing) });
    } finally {
      this.openRows.delete(id);
    }
  }

  /** Reads where the chain ends, ahead of the first close (start-up). */
  primeChain(): Promise<void> {
    return this.chain.prime();
  }

  /** Extends the lease of every row this process still has open; returns how many it renewed. */
  async renewOpen(): Promise<number> {
    if (this.openRows.size === 0) return 0;
    const [count] = await this.db.models.AuditEntry.update(
      { lease_until: this.leaseEnd() },
      { where: { id: { [Op.in]: [...this.openRows.keys()] }, outcome: "pending" } },
    );
    return count;
  }

  /**
   * Closes as `interrupted` the pending rows whose lease lapsed: their process died (a live one
   * renews its own first). Each is chained like any close, so two sweepers never both close one.
   */
  async closeAbandoned(): Promise<number> {
    const now = this.clock.now();
    const lapsed = await this.db.models.AuditEntry.findAll({
      where: {
        outcome: "pending",
        [Op.or]: [
          { lease_until: { [Op.lt]: now } },
          { lease_until: null, created_at: { [Op.lt]: new Date(now.getTime() - UNLEASED_AFTER_MS) } },
        ],
      },
      order: [["id", "ASC"]],
      limit: 500,
    });
    let closed = 0;
    for (const row of lapsed) {
      const id = Number(row.id);
      if (this.openRows.has(id)) continue;
      const content = { ...openingOf(row), ...closingColumns(null), ...INTERRUPTED, finished_at: now };
      if (await this.chain.append(content)) closed += 1;
    }
    return closed;
  }

  private leaseEnd(): Date {
    return new Date(this.clock.now().getTime() + this.leaseMs);
  }

  private async openingOf(id: number) {
    const row = await this.db.models.AuditEntry.findByPk(id);
    return row ? openingOf(row) : null;
  }

  /** Newest first. `actor` matches the actor id or name exactly (case-insensitive for names). */
  /**
   * The latest requests: by one person (`actor`: an id or display name as typed), by any of a
   * person's linked accounts (`accounts`: `platform:id`), or by anyone.
   */
  async recent(options: {
    limit: number;
    actor?: string;
    accounts?: readonly string[];
    excludeId?: number;
    commandType?: string;
    outcome?: AuditOutcome;
    since?: Date;
    until?: Date;
    /** Rows older than this id (the next page). */
    beforeId?: number;
  }): Promise<AuditEntry[]> {
    const conditions: WhereOptions[] = [];
    if (options.commandType !== undefined) conditions.push({ command_type: options.commandType });
    if (options.outcome !== undefined) conditions.push({ outcome: options.outcome });
    if (options.since !== undefined) conditions.push({ created_at: { [Op.gte]: options.since } });
    if (options.until !== undefined) conditions.push({ created_at: { [Op.lt]: options.until } });
    if (options.beforeId !== undefined) conditions.push({ id: { [Op.lt]: options.beforeId } });
    if (options.accounts) {
      const mine = options.accounts.slice(0, 20).map((account) => {
        const at = account.indexOf(":");
        return { platform: account.slice(0, at), actor_id: account.slice(at + 1) };
      });
      conditions.push({ [Op.or]: mine });
    } else if (options.actor) {
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
  async conversation(where: ConversationQuery): Promise<AuditEntry[]> {
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
