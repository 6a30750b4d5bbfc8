import { UniqueConstraintError } from "sequelize";
import { retrying } from "../../retry.js";
import type { Database } from "../database.js";
import { parseJson } from "./audit-repository.js";

export interface WorkflowRecord {
  name: string;
  description: string | null;
  currentVersion: number;
  updatedAt: Date;
}

export interface WorkflowVersionRecord {
  workflowName: string;
  version: number;
  /** Stored as validated when saved; the orchestrator validates again when it reads. */
  definition: unknown;
  checksum: string;
  source: string;
  createdBy: string | null;
  createdAt: Date;
}

export interface SaveVersionInput {
  name: string;
  description: string | null;
  definition: unknown;
  checksum: string;
  source: string;
  createdBy: string | null;
  now: Date;
}

export class WorkflowRepository {
  constructor(private readonly db: Database) {}

  /**
   * Records a definition as the workflow's current version unless the current version already has
   * this checksum. Two statements or more, so it goes through the writer queue.
   */
  saveVersion(input: SaveVersionInput): Promise<{ version: number; created: boolean }> {
    // Replicas starting together on PostgreSQL can both find no row to lock and both insert: the
    // loser's unique violation means the row exists now, so a second try (at once) locks it and takes turns.
    return retrying(() => this.saveVersionOnce(input), {
      attempts: 3,
      retryable: (error) => error instanceof UniqueConstraintError,
    });
  }

  private saveVersionOnce(input: SaveVersionInput): Promise<{ version: number; created: boolean }> {
    const { Workflow, WorkflowVersion } = this.db.models;
    return this.db.writes.run(async (transaction) => {
      // FOR UPDATE on PostgreSQL: concurrent savers of one workflow take turns (SQLite's queue already serialises).
      const workflow = await Workflow.findByPk(input.name, { transaction, lock: transaction.LOCK.UPDATE });
      if (workflow) {
        const current = await WorkflowVersion.findOne({
          where: { workflow_name: input.name, version: workflow.current_version },
          transaction,
        });
        if (current?.checksum === input.checksum) return { version: workflow.current_version, created: false };
        // An unchanged file after an improvement was applied or a version rolled back: keep that choice.
        const lastFromSource = await WorkflowVersion.findOne({
          where: { workflow_name: input.name, source: input.source },
          order: [["version", "DESC"]],
          transaction,
        });
        if (lastFromSource?.checksum === input.checksum) return { version: workflow.current_version, created: false };
      }
      const latest = (await WorkflowVersion.max("version", {
        where: { workflow_name: input.name },
        transaction,
      })) as number | null;
      const version = (latest ?? 0) + 1;
      if (!workflow) {
        await Workflow.create(
          {
            name: input.name,
            description: input.description,
            current_version: version,
            created_at: input.now,
            updated_at: input.now,
          },
          { transaction },
        );
      }
      await WorkflowVersion.create(
        {
          workflow_name: input.name,
          version,
          definition: input.definition,
          checksum: input.checksum,
          source: input.source,
          created_by: input.createdBy,
          created_at: input.now,
        },
        { transaction },
      );
      if (workflow) {
        await workflow.update(
          { current_version: version, description: input.description, updated_at: input.now },
          { transaction },
        );
      }
      return { version, created: true };
    });
  }

  /** Makes an existing version current (apply an improvement, roll back); false when it does not exist. */
  async setCurrent(name: string, version: number, now: Date): Promise<boolean> {
    const exists = await this.db.models.WorkflowVersion.count({ where: { workflow_name: name, version } });
    if (exists === 0) return false;
    const [count] = await this.db.models.Workflow.update(
      { current_version: version, updated_at: now },
      { where: { name } },
    );
    return count > 0;
  }

  async list(): Promise<WorkflowRecord[]> {
    const rows = await this.db.models.Workflow.findAll({ order: [["name", "ASC"]] });
    return rows.map((row) => ({
      name: row.name,
      description: row.description,
      currentVersion: row.current_version,
      updatedAt: new Date(row.updated_at),
    }));
  }

  /** Plain SQL: every run reads it (which version is current). */
  async get(name: string): Promise<WorkflowRecord | null> {
    const row = await this.db.raw.get<{
      name: string;
      description: string | null;
      current_version: number;
      updated_at: string | Date;
    }>("SELECT name, description, current_version, updated_at FROM workflows WHERE name = ?", [name]);
    return row
      ? {
          name: row.name,
          description: row.description,
          currentVersion: Number(row.current_version),
          updatedAt: new Date(row.updated_at),
        }
      : null;
  }

  async version(name: string, version: number): Promise<WorkflowVersionRecord | null> {
    const row = await this.db.models.WorkflowVersion.findOne({ where: { workflow_name: name, version } });
    return row ? toVersion(row) : null;
  }

  async versions(name: string): Promise<WorkflowVersionRecord[]> {
    const rows = await this.db.models.WorkflowVersion.findAll({
      where: { workflow_name: name },
      order: [["version", "DESC"]],
    });
    return rows.map(toVersion);
  }
}

function toVersion(row: {
  workflow_name: string;
  version: number;
  definition: unknown;
  checksum: string;
  source: string;
  created_by: string | null;
  created_at: Date;
}): WorkflowVersionRecord {
  return {
    workflowName: row.workflow_name,
    version: row.version,
    definition: parseJson(row.definition),
    checksum: row.checksum,
    source: row.source,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
  };
}
