import { redactSecrets, redactValue } from "../../redact.js";
import type { Database } from "../database.js";
import type { ProposalRow } from "../models-agents.js";
import { parseJson } from "./audit-repository.js";

export type ProposalStatus = "proposed" | "applied" | "discarded";

export interface ProposalRecord {
  id: number;
  at: Date;
  feedbackId: number | null;
  workflowName: string;
  baseVersion: number;
  definition: unknown;
  diff: string;
  replay: unknown;
  status: ProposalStatus;
  appliedVersion: number | null;
  decidedBy: string | null;
  decidedAt: Date | null;
}

export class ProposalRepository {
  constructor(private readonly db: Database) {}

  async create(
    proposal: Pick<
      ProposalRecord,
      "at" | "feedbackId" | "workflowName" | "baseVersion" | "definition" | "diff" | "replay"
    >,
  ): Promise<ProposalRecord> {
    const row = await this.db.models.Proposal.create({
      created_at: proposal.at,
      feedback_id: proposal.feedbackId,
      workflow_name: proposal.workflowName,
      base_version: proposal.baseVersion,
      definition: redactValue(proposal.definition),
      diff: redactSecrets(proposal.diff),
      replay: redactValue(proposal.replay),
      status: "proposed",
      applied_version: null,
      decided_by: null,
      decided_at: null,
    });
    return toRecord(row);
  }

  async get(id: number): Promise<ProposalRecord | null> {
    const row = await this.db.models.Proposal.findByPk(id);
    return row ? toRecord(row) : null;
  }

  /** Newest first, optionally of one status or one workflow. */
  async list(where: { status?: ProposalStatus; workflow?: string; limit: number }): Promise<ProposalRecord[]> {
    const rows = await this.db.models.Proposal.findAll({
      where: {
        ...(where.status !== undefined && { status: where.status }),
        ...(where.workflow !== undefined && { workflow_name: where.workflow }),
      },
      order: [["id", "DESC"]],
      limit: where.limit,
    });
    return rows.map(toRecord);
  }

  async recordAppliedVersion(id: number, version: number): Promise<void> {
    await this.db.models.Proposal.update({ applied_version: version }, { where: { id } });
  }

  /** Decides an open proposal once; false when someone else already did. */
  async decide(
    id: number,
    decision: { status: "applied" | "discarded"; appliedVersion: number | null; by: string; at: Date },
  ): Promise<boolean> {
    const [count] = await this.db.models.Proposal.update(
      {
        status: decision.status,
        applied_version: decision.appliedVersion,
        decided_by: decision.by,
        decided_at: decision.at,
      },
      { where: { id, status: "proposed" } },
    );
    return count > 0;
  }
}

function toRecord(row: ProposalRow): ProposalRecord {
  return {
    id: Number(row.id),
    at: new Date(row.created_at),
    feedbackId: row.feedback_id === null ? null : Number(row.feedback_id),
    workflowName: row.workflow_name,
    baseVersion: row.base_version,
    definition: parseJson(row.definition),
    diff: row.diff,
    replay: parseJson(row.replay),
    status: row.status as ProposalStatus,
    appliedVersion: row.applied_version,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at === null ? null : new Date(row.decided_at),
  };
}
