import { Op } from "sequelize";
import { redactValue } from "../../redact.js";
import type { Database } from "../database.js";
import type { ExecutionRow, StepAttemptRow } from "../models.js";
import { parseJson } from "./audit-repository.js";
import { clip } from "./columns.js";

export interface ExecutionRecord {
  id: string;
  workflowName: string;
  workflowVersion: number;
  status: string;
  input: Record<string, string>;
  output: unknown;
  errorCode: string | null;
  errorMessage: string | null;
  requestedBy: string;
  requestedByName: string | null;
  platform: string;
  channel: string | null;
  thread: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  /** What a waiting execution waits for (approval or decision); null otherwise. */
  waitingFor: Record<string, unknown> | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export type NewExecution = Omit<ExecutionRecord, "output" | "errorCode" | "errorMessage" | "finishedAt" | "waitingFor">;

export type ExecutionPatch = Partial<
  Pick<
    ExecutionRecord,
    | "status"
    | "output"
    | "errorCode"
    | "errorMessage"
    | "startedAt"
    | "finishedAt"
    | "leaseOwner"
    | "leaseExpiresAt"
    | "waitingFor"
  >
>;

export interface StepAttemptRecord {
  id: number;
  executionId: string;
  stepPath: string;
  stepKind: string;
  tool: string | null;
  attempt: number;
  status: string;
  input: unknown;
  output: unknown;
  errorCode: string | null;
  errorMessage: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export type StepAttemptPatch = Partial<
  Pick<StepAttemptRecord, "status" | "output" | "errorCode" | "errorMessage" | "finishedAt">
>;

const COLUMN: Record<keyof ExecutionPatch, keyof ExecutionRow> = {
  status: "status",
  output: "output",
  errorCode: "error_code",
  errorMessage: "error_message",
  startedAt: "started_at",
  finishedAt: "finished_at",
  leaseOwner: "lease_owner",
  leaseExpiresAt: "lease_expires_at",
  waitingFor: "waiting_for",
};

/** Secrets stay in memory for the run; what is stored (outputs, errors) is redacted. */
const REDACTED: ReadonlySet<keyof ExecutionPatch> = new Set(["output", "errorMessage", "waitingFor"]);

function toColumns(patch: ExecutionPatch, now: Date): Record<string, unknown> {
  const columns: Record<string, unknown> = { updated_at: now };
  for (const [key, value] of Object.entries(patch) as Array<[keyof ExecutionPatch, unknown]>) {
    columns[COLUMN[key]] = REDACTED.has(key) ? redactValue(value) : value;
  }
  return columns;
}

export class ExecutionRepository {
  constructor(private readonly db: Database) {}

  async create(execution: NewExecution): Promise<void> {
    await this.db.models.Execution.create({
      id: execution.id,
      workflow_name: execution.workflowName,
      workflow_version: execution.workflowVersion,
      parent_execution_id: null,
      status: execution.status,
      input: redactValue(execution.input),
      output: null,
      error_code: null,
      error_message: null,
      requested_by: clip(execution.requestedBy, 128),
      requested_by_name: clip(execution.requestedByName, 256),
      platform: clip(execution.platform, 32),
      channel: clip(execution.channel, 128),
      thread: clip(execution.thread, 128),
      lease_owner: execution.leaseOwner,
      lease_expires_at: execution.leaseExpiresAt,
      waiting_for: null,
      created_at: execution.createdAt,
      started_at: execution.startedAt,
      finished_at: null,
      updated_at: execution.createdAt,
    });
  }

  /**
   * Compare-and-set on status: the update applies only while the execution is in one of `from`, so
   * a run that was cancelled meanwhile is never overwritten as succeeded. Returns whether it applied.
   */
  async transition(
    id: string,
    from: readonly string[],
    patch: ExecutionPatch,
    now: Date,
    owner?: string,
  ): Promise<boolean> {
    const [count] = await this.db.models.Execution.update(toColumns(patch, now), {
      where: { id, status: { [Op.in]: [...from] }, ...(owner !== undefined && { lease_owner: owner }) },
    });
    return count > 0;
  }

  /**
   * Takes ownership of an execution to resume it: one conditional UPDATE, so of several processes
   * trying at once exactly one succeeds. Claimable: interrupted at a shutdown, running under a lease
   * that expired (its process died), or waiting for a decision that was just made (`fromWaiting`).
   */
  async claim(id: string, owner: string, leaseUntil: Date, now: Date, fromWaiting = false): Promise<boolean> {
    const claimable = [
      { status: "interrupted" },
      { status: "running", [Op.or]: [{ lease_expires_at: null }, { lease_expires_at: { [Op.lt]: now } }] },
      ...(fromWaiting ? [{ status: "waiting" }] : []),
    ];
    const [count] = await this.db.models.Execution.update(
      {
        status: "running",
        lease_owner: owner,
        lease_expires_at: leaseUntil,
        error_code: null,
        error_message: null,
        waiting_for: null,
        finished_at: null,
        updated_at: now,
      },
      { where: { id, [Op.or]: claimable } },
    );
    return count > 0;
  }

  /** Executions a process may resume now: interrupted ones, and running ones whose lease expired. */
  async resumable(now: Date, limit = 100): Promise<ExecutionRecord[]> {
    const rows = await this.db.models.Execution.findAll({
      where: {
        [Op.or]: [{ status: "interrupted" }, { status: "running", lease_expires_at: { [Op.lt]: now } }],
      },
      order: [["created_at", "ASC"]],
      limit,
    });
    return rows.map(toExecution);
  }

  /** Attempts a dead process left `running` are recorded as interrupted before the run resumes. */
  async interruptRunningAttempts(executionId: string, now: Date, message: string): Promise<void> {
    await this.db.models.StepAttempt.update(
      { status: "interrupted", error_code: "interrupted", error_message: message, finished_at: now },
      { where: { execution_id: executionId, status: "running" } },
    );
  }

  async renewLease(id: string, owner: string, expiresAt: Date, now: Date): Promise<boolean> {
    const [count] = await this.db.models.Execution.update(
      { lease_expires_at: expiresAt, updated_at: now },
      { where: { id, lease_owner: owner } },
    );
    return count > 0;
  }

  async get(id: string): Promise<ExecutionRecord | null> {
    const row = await this.db.models.Execution.findByPk(id);
    return row ? toExecution(row) : null;
  }

  async list(options: { status?: string; limit: number }): Promise<ExecutionRecord[]> {
    const rows = await this.db.models.Execution.findAll({
      where: options.status ? { status: options.status } : {},
      order: [
        ["created_at", "DESC"],
        ["id", "DESC"],
      ],
      limit: options.limit,
    });
    return rows.map(toExecution);
  }

  /** `until` closes the range, which lets SQLite count from the (created_at, status) index alone. */
  async countByStatus(since?: Date, until?: Date): Promise<Record<string, number>> {
    const range = { ...(since && { [Op.gte]: since }), ...(until && { [Op.lte]: until }) };
    const rows = (await this.db.models.Execution.findAll({
      attributes: ["status", [this.db.sequelize.fn("COUNT", this.db.sequelize.col("id")), "count"]],
      where: since || until ? { created_at: range } : {},
      group: ["status"],
      raw: true,
    })) as unknown as Array<{ status: string; count: number | string }>;
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }

  async startAttempt(
    attempt: Omit<StepAttemptRecord, "id" | "output" | "errorCode" | "errorMessage" | "finishedAt">,
  ): Promise<number> {
    const row = await this.db.models.StepAttempt.create({
      execution_id: attempt.executionId,
      step_path: attempt.stepPath,
      step_kind: attempt.stepKind,
      tool: attempt.tool,
      attempt: attempt.attempt,
      status: attempt.status,
      input: redactValue(attempt.input),
      output: null,
      error_code: null,
      error_message: null,
      started_at: attempt.startedAt,
      finished_at: null,
    });
    return Number(row.id);
  }

  async finishAttempt(id: number, patch: StepAttemptPatch): Promise<void> {
    await this.db.models.StepAttempt.update(
      {
        ...(patch.status !== undefined && { status: patch.status }),
        ...(patch.output !== undefined && { output: redactValue(patch.output) }),
        ...(patch.errorCode !== undefined && { error_code: patch.errorCode }),
        ...(patch.errorMessage !== undefined && { error_message: redactValue(patch.errorMessage) }),
        ...(patch.finishedAt !== undefined && { finished_at: patch.finishedAt }),
      },
      { where: { id } },
    );
  }

  /** Settles a waiting attempt (an approval) exactly once: false when someone else got there first. */
  async settleWaitingAttempt(id: number, patch: StepAttemptPatch): Promise<boolean> {
    const [count] = await this.db.models.StepAttempt.update(
      {
        ...(patch.status !== undefined && { status: patch.status }),
        ...(patch.output !== undefined && { output: redactValue(patch.output) }),
        ...(patch.errorCode !== undefined && { error_code: patch.errorCode }),
        ...(patch.errorMessage !== undefined && { error_message: redactValue(patch.errorMessage) }),
        ...(patch.finishedAt !== undefined && { finished_at: patch.finishedAt }),
      },
      { where: { id, status: "waiting" } },
    );
    return count > 0;
  }

  /** Closes every attempt of an execution still waiting (its approval), e.g. when it is cancelled. */
  async settleWaitingAttempts(executionId: string, patch: { status: string; finishedAt: Date }): Promise<void> {
    await this.db.models.StepAttempt.update(
      { status: patch.status, finished_at: patch.finishedAt },
      { where: { execution_id: executionId, status: "waiting" } },
    );
  }

  async attempt(id: number): Promise<StepAttemptRecord | null> {
    const row = await this.db.models.StepAttempt.findByPk(id);
    return row ? toAttempt(row) : null;
  }

  async attempts(executionId: string): Promise<StepAttemptRecord[]> {
    const rows = await this.db.models.StepAttempt.findAll({
      where: { execution_id: executionId },
      order: [
        ["started_at", "ASC"],
        ["id", "ASC"],
      ],
    });
    return rows.map(toAttempt);
  }

  /**
   * Marks running executions as interrupted, with their running step attempts: those owned by
   * `owner` at shutdown, or (owner null) those whose lease expired because their process died.
   */
  interrupt(options: { owner: string | null; now: Date; message: string }): Promise<string[]> {
    const { Execution, StepAttempt } = this.db.models;
    return this.db.writes.run(async (transaction) => {
      const where = options.owner
        ? { status: "running", lease_owner: options.owner }
        : { status: "running", lease_expires_at: { [Op.lt]: options.now } };
      const rows = await Execution.findAll({ where, attributes: ["id"], transaction });
      const ids = rows.map((row) => row.id);
      if (ids.length === 0) return ids;
      const error = { error_code: "interrupted", error_message: options.message };
      await Execution.update(
        { status: "interrupted", ...error, finished_at: options.now, updated_at: options.now, lease_owner: null },
        { where: { id: { [Op.in]: ids } }, transaction },
      );
      await StepAttempt.update(
        { status: "interrupted", ...error, finished_at: options.now },
        { where: { execution_id: { [Op.in]: ids }, status: "running" }, transaction },
      );
      return ids;
    });
  }
}

function toExecution(row: ExecutionRow): ExecutionRecord {
  return {
    id: row.id,
    workflowName: row.workflow_name,
    workflowVersion: row.workflow_version,
    status: row.status,
    input: parseJson(row.input) as Record<string, string>,
    output: parseJson(row.output),
    errorCode: row.error_code,
    errorMessage: row.error_message,
    requestedBy: row.requested_by,
    requestedByName: row.requested_by_name,
    platform: row.platform,
    channel: row.channel,
    thread: row.thread,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at ? new Date(row.lease_expires_at) : null,
    waitingFor: (parseJson(row.waiting_for) as Record<string, unknown> | null) ?? null,
    createdAt: new Date(row.created_at),
    startedAt: row.started_at ? new Date(row.started_at) : null,
    finishedAt: row.finished_at ? new Date(row.finished_at) : null,
  };
}

function toAttempt(row: StepAttemptRow): StepAttemptRecord {
  return {
    id: Number(row.id),
    executionId: row.execution_id,
    stepPath: row.step_path,
    stepKind: row.step_kind,
    tool: row.tool,
    attempt: row.attempt,
    status: row.status,
    input: parseJson(row.input),
    output: parseJson(row.output),
    errorCode: row.error_code,
    errorMessage: row.error_message,
    startedAt: new Date(row.started_at),
    finishedAt: row.finished_at ? new Date(row.finished_at) : null,
  };
}
