import { Op } from "sequelize";
import { REDACTED as REDACTED_LABEL, redactValue } from "../../redact.js";
import type { Database } from "../database.js";
import type { ExecutionRow, StepAttemptRow } from "../models.js";
import type { SqlValue } from "../raw-statements.js";
import { parseJson } from "./audit-repository.js";
import { clip } from "./columns.js";
import { idsStartingWith } from "./id-prefix.js";

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

export type NewExecution = Omit<
  ExecutionRecord,
  "output" | "errorCode" | "errorMessage" | "finishedAt" | "waitingFor"
> & {
  /** The execution whose `workflow` step started this one. */
  parentExecutionId?: string | null;
  /** Inputs the workflow declares `secret: true`: stored as a label, whatever their key or shape. */
  secretInputs?: readonly string[];
};

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

/** An attempt as written in one go: started (running), or already finished when the step was quick. */
export type NewAttempt = Omit<StepAttemptRecord, "id" | "output" | "errorCode" | "errorMessage" | "finishedAt"> &
  Partial<Pick<StepAttemptRecord, "output" | "errorCode" | "errorMessage" | "finishedAt">>;

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

const ATTEMPT_COLUMNS =
  "execution_id, step_path, step_kind, tool, attempt, status, input, output, error_code, error_message, started_at, finished_at";
const OWNED = "WHERE EXISTS (SELECT 1 FROM executions WHERE id = ? AND status = 'running' AND lease_owner = ?)";
const INSERT_OWNED_ATTEMPT = `INSERT INTO step_attempts (${ATTEMPT_COLUMNS}) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? ${OWNED}`;
// PostgreSQL types a SELECT list's parameters as text unless told.
const INSERT_OWNED_ATTEMPT_PG = `INSERT INTO step_attempts (${ATTEMPT_COLUMNS}) SELECT ?, ?, ?, ?, CAST(? AS INTEGER), ?, CAST(? AS JSON), CAST(? AS JSON), ?, ?, CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ) ${OWNED} RETURNING id`;
const INSERT_EXECUTION = `INSERT INTO executions (id, workflow_name, workflow_version, status, input, requested_by,
  requested_by_name, platform, channel, thread, lease_owner, lease_expires_at, created_at, started_at, updated_at,
  parent_execution_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const JSON_COLUMNS: ReadonlySet<string> = new Set(["input", "output", "waiting_for"]);

/** A column's value as bound to plain SQL: JSON columns serialised, dates converted per dialect. */
function sqlValue(column: string, value: unknown): SqlValue {
  if (JSON_COLUMNS.has(column)) return { json: value ?? null };
  if (value === undefined) return null;
  return value as SqlValue;
}

function withoutSecretInputs(input: Record<string, string>, secret: readonly string[]): Record<string, string> {
  if (secret.length === 0) return input;
  return Object.fromEntries(
    Object.entries(input).map(([name, value]) => [
      name,
      secret.includes(name) && value !== "" ? REDACTED_LABEL : value,
    ]),
  );
}

function attemptColumns(patch: StepAttemptPatch): Record<string, unknown> {
  return {
    ...(patch.status !== undefined && { status: patch.status }),
    ...(patch.output !== undefined && { output: redactValue(patch.output) }),
    ...(patch.errorCode !== undefined && { error_code: patch.errorCode }),
    ...(patch.errorMessage !== undefined && { error_message: redactValue(patch.errorMessage) }),
    ...(patch.finishedAt !== undefined && { finished_at: patch.finishedAt }),
  };
}

export class ExecutionRepository {
  constructor(private readonly db: Database) {}

  /** One plain INSERT (the hot path: every run starts here). */
  async create(execution: NewExecution): Promise<void> {
    await this.db.raw.run(INSERT_EXECUTION, [
      execution.id,
      execution.workflowName,
      execution.workflowVersion,
      execution.status,
      { json: redactValue(withoutSecretInputs(execution.input, execution.secretInputs ?? [])) },
      clip(execution.requestedBy, 128),
      clip(execution.requestedByName, 256),
      clip(execution.platform, 32),
      clip(execution.channel, 128),
      clip(execution.thread, 128),
      execution.leaseOwner,
      execution.leaseExpiresAt,
      execution.createdAt,
      execution.startedAt,
      execution.createdAt,
      execution.parentExecutionId ?? null,
    ]);
  }

  /** The chain of executions that started this one through `workflow` steps, nearest first (at most `max`). */
  async ancestors(id: string, max: number): Promise<string[]> {
    const chain: string[] = [];
    for (let current: string | null = id; current !== null && chain.length < max; ) {
      const row: { parent_execution_id: string | null } | null = await this.db.raw.get(
        "SELECT parent_execution_id FROM executions WHERE id = ?",
        [current],
      );
      current = row?.parent_execution_id ?? null;
      if (current !== null) chain.push(current);
    }
    return chain;
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
    const columns = Object.entries(toColumns(patch, now));
    const sets = columns.map(([column]) => `${column} = ?`).join(", ");
    const values = columns.map(([column, value]) => sqlValue(column, value));
    const owned = owner !== undefined ? " AND lease_owner = ?" : "";
    const sql = `UPDATE executions SET ${sets} WHERE id = ? AND status IN (${from.map(() => "?").join(", ")})${owned}`;
    const { changes } = await this.db.raw.run(sql, [...values, id, ...from, ...(owner !== undefined ? [owner] : [])]);
    return changes > 0;
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

  /** Ids beginning with a typed prefix (at most `limit`): a unique prefix stands for the whole id. */
  idsStartingWith(prefix: string, limit = 2): Promise<string[]> {
    return idsStartingWith(this.db, "executions", prefix, limit);
  }

  async get(id: string): Promise<ExecutionRecord | null> {
    const row = await this.db.raw.get<ExecutionRow>("SELECT * FROM executions WHERE id = ?", [id]);
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
    const columns = Object.entries(attemptColumns(patch));
    if (columns.length === 0) return;
    await this.db.raw.run(`UPDATE step_attempts SET ${columns.map(([c]) => `${c} = ?`).join(", ")} WHERE id = ?`, [
      ...columns.map(([column, value]) => sqlValue(column, value)),
      id,
    ]);
  }

  /** Finishes an attempt only while the execution is running under `owner` (see recordOwnedAttempt). */
  async finishOwnedAttempt(id: number, patch: StepAttemptPatch, owner: string): Promise<boolean> {
    const columns = Object.entries(attemptColumns(patch));
    const sets = columns.map(([c]) => `${c} = ?`).join(", ");
    const sql = `UPDATE step_attempts SET ${sets} WHERE id = ? AND EXISTS (SELECT 1 FROM executions
      WHERE executions.id = step_attempts.execution_id AND status = 'running' AND lease_owner = ?)`;
    const { changes } = await this.db.raw.run(sql, [...columns.map(([c, v]) => sqlValue(c, v)), id, owner]);
    return changes > 0;
  }

  /**
   * Writes an attempt only while the execution is running under `owner` — the check that a cancel
   * or a lost lease stops the run, folded into the step's own write (one statement, not a read and
   * a write). Returns the new row's id, or null when the execution is no longer this process's to run.
   */
  async recordOwnedAttempt(attempt: NewAttempt, owner: string): Promise<number | null> {
    const sql = this.db.dialect === "postgres" ? INSERT_OWNED_ATTEMPT_PG : INSERT_OWNED_ATTEMPT;
    const { changes, lastId } = await this.db.raw.run(sql, [
      attempt.executionId,
      clip(attempt.stepPath, 256),
      attempt.stepKind,
      clip(attempt.tool, 100),
      attempt.attempt,
      attempt.status,
      { json: redactValue(attempt.input) },
      { json: attempt.output === undefined ? null : redactValue(attempt.output) },
      attempt.errorCode ?? null,
      attempt.errorMessage === undefined || attempt.errorMessage === null ? null : redactValue(attempt.errorMessage),
      attempt.startedAt,
      attempt.finishedAt ?? null,
      attempt.executionId,
      owner,
    ]);
    return changes > 0 ? lastId : null;
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
