import { Op } from "sequelize";
import { redactValue } from "../../redact.js";
import type { Database } from "../database.js";
import type { AgentRow } from "../models-agents.js";
import { parseJson } from "./audit-repository.js";
import { clip } from "./columns.js";
import { idsStartingWith } from "./id-prefix.js";

/** A spawned agent as stored: enough to rebuild it after eviction or a restart. */
export interface AgentRecord {
  id: string;
  specialty: string;
  status: "active" | "retired";
  config: StoredAgentConfig;
  createdBy: string | null;
  channel: string | null;
  thread: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  retiredAt: Date | null;
}

export interface StoredAgentConfig {
  systemPrompt: string;
  temperature: number;
  tools: string[];
  route: string[];
  goal: string;
  maxTurns: number;
  executionId?: string | null;
}

export class AgentRepository {
  constructor(private readonly db: Database) {}

  async create(agent: Omit<AgentRecord, "status" | "retiredAt">): Promise<void> {
    await this.db.models.Agent.create({
      id: agent.id,
      specialty: agent.specialty,
      status: "active",
      config: redactValue(agent.config),
      created_by: clip(agent.createdBy, 128),
      channel: clip(agent.channel, 255),
      thread: clip(agent.thread, 255),
      created_at: agent.createdAt,
      last_used_at: agent.lastUsedAt,
      retired_at: null,
    });
  }

  /** Ids beginning with a typed prefix (at most `limit`): a unique prefix stands for the whole id. */
  idsStartingWith(prefix: string, limit = 2): Promise<string[]> {
    return idsStartingWith(this.db, "agents", prefix, limit);
  }

  async get(id: string): Promise<AgentRecord | null> {
    const row = await this.db.models.Agent.findByPk(id);
    return row ? toRecord(row) : null;
  }

  async active(limit = 200): Promise<AgentRecord[]> {
    const rows = await this.db.models.Agent.findAll({
      where: { status: "active" },
      order: [["last_used_at", "DESC"]],
      limit,
    });
    return rows.map(toRecord);
  }

  /** The newest active agent of a specialty in a thread (an `ask` there continues with it). */
  async activeInThread(where: { specialty: string; channel: string | null; thread: string }): Promise<string | null> {
    const row = await this.db.models.Agent.findOne({
      where: { status: "active", specialty: where.specialty, channel: where.channel, thread: where.thread },
      order: [["last_used_at", "DESC"]],
      attributes: ["id"],
    });
    return row?.id ?? null;
  }

  /** `createdBy`: one id, or any of a person's ids. */
  async countActive(where: { createdBy?: string | readonly string[]; channel?: string } = {}): Promise<number> {
    return this.db.models.Agent.count({
      where: {
        status: "active",
        ...(where.createdBy !== undefined && {
          created_by: typeof where.createdBy === "string" ? where.createdBy : [...where.createdBy],
        }),
        ...(where.channel !== undefined && { channel: where.channel }),
      },
    });
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.db.models.Agent.update({ last_used_at: at }, { where: { id } });
  }

  /** Marks an active agent retired; false when it was not active. */
  async retire(id: string, at: Date): Promise<boolean> {
    const [count] = await this.db.models.Agent.update(
      { status: "retired", retired_at: at },
      { where: { id, status: "active" } },
    );
    return count > 0;
  }

  /** Active agents not used since `cutoff`. */
  async idleSince(cutoff: Date, limit = 500): Promise<AgentRecord[]> {
    const rows = await this.db.models.Agent.findAll({
      where: { status: "active", last_used_at: { [Op.lt]: cutoff } },
      order: [["last_used_at", "ASC"]],
      limit,
    });
    return rows.map(toRecord);
  }
}

function toRecord(row: AgentRow): AgentRecord {
  return {
    id: row.id,
    specialty: row.specialty,
    status: row.status === "retired" ? "retired" : "active",
    config: parseJson(row.config) as StoredAgentConfig,
    createdBy: row.created_by,
    channel: row.channel,
    thread: row.thread,
    createdAt: new Date(row.created_at),
    lastUsedAt: new Date(row.last_used_at),
    retiredAt: row.retired_at === null ? null : new Date(row.retired_at),
  };
}
