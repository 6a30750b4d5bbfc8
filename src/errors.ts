import { withoutInternals } from "./channel-safe.js";

/**
 * One error type with a stable code (bolt-js `asCodedError`, tRPC `getTRPCErrorFromUnknown`).
 * Fallback and retry logic read `code` and `retryable`, never the message text.
 */
export type ErrorCode =
  | "config_invalid"
  | "invalid_command"
  | "not_found"
  | "denied"
  | "confirmation_required"
  | "confirmation_declined"
  | "unavailable"
  | "workflow_invalid"
  | "step_failed"
  | "subworkflow_failed"
  | "step_timeout"
  | "non_retriable"
  | "retry_after"
  | "budget_exceeded"
  | "template_missing_path"
  | "template_invalid"
  | "secret_missing"
  | "expression_invalid"
  | "tool_unknown"
  | "http_error"
  | "cancelled"
  | "interrupted"
  | "lease_lost"
  | "agent_unavailable"
  | "tool_error"
  | "database_error"
  | "internal";

export class BatonError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BatonError";
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** Normalise anything thrown into a BatonError, keeping the original as `cause`. */
export function toBatonError(error: unknown): BatonError {
  if (error instanceof BatonError) return error;
  if (error instanceof Error && error.name === "AbortError") {
    return new BatonError("cancelled", "The work was cancelled.", { cause: error });
  }
  // Sequelize's errors are named Sequelize*; only src/db imports Sequelize, so match the name.
  if (error instanceof Error && error.name.startsWith("Sequelize")) return databaseError(error);
  const message = error instanceof Error ? error.message : String(error);
  return new BatonError("internal", `Something went wrong inside baton: ${withoutInternals(message)}`, {
    cause: error,
  });
}

/**
 * A database or driver failure as a person may see it: the driver's code, never its message, which
 * can carry the SQL, a file path or a connection string (issue 12 item 7). The cause keeps it all
 * for the log. Retryable only when the driver says the failure is transient (`isTransientDatabaseError`).
 */
export function databaseError(error: unknown): BatonError {
  const code = driverCode(error);
  const what = code === undefined ? "" : ` (${code})`;
  return new BatonError("database_error", `The database refused the request${what}; baton's log has the details.`, {
    cause: error,
    retryable: isTransientDatabaseError(error),
  });
}

/** SQLite's "try again": another connection holds the lock (https://www.sqlite.org/rescode.html#busy). */
const SQLITE_TRANSIENT = ["SQLITE_BUSY", "SQLITE_LOCKED"];

/**
 * PostgreSQL SQLSTATEs worth a retry (https://www.postgresql.org/docs/current/errcodes-appendix.html):
 * serialization failure, deadlock, lock not available (lock_timeout), admin/crash shutdown, cannot
 * connect now, too many connections. Class 08 (connection exceptions) is matched separately.
 */
const POSTGRES_TRANSIENT = new Set(["40001", "40P01", "55P03", "57P01", "57P02", "57P03", "53300"]);

/** Node's socket errors when the connection to the server is lost or refused. */
const SOCKET_TRANSIENT = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH"]);

/**
 * Sequelize's connection errors that name a transient cause, and its TimeoutError (what its SQLite
 * dialect makes of SQLITE_BUSY). Its plain ConnectionError wraps whatever the driver said on
 * connect, so that one is judged by the driver's code (`isTransientDatabaseError`).
 */
const SEQUELIZE_TRANSIENT = new Set([
  "SequelizeConnectionRefusedError",
  "SequelizeConnectionTimedOutError",
  "SequelizeConnectionAcquireTimeoutError",
  "SequelizeHostNotFoundError",
  "SequelizeHostNotReachableError",
  "SequelizeTimeoutError",
]);

/**
 * Whether the database failed for a reason a retry can fix (busy, lock timeouts, connection loss),
 * from the driver's code and Sequelize's class name. Constraint violations, syntax errors and missing
 * tables fail the same way every time, and so does a connection the server turned away for a reason
 * (wrong password `28P01`, no such database `3D000`, a SQLite file that cannot be opened).
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (SEQUELIZE_TRANSIENT.has(error.name)) return true;
  const code = rawDriverCode(error);
  if (code === undefined) return error.name === "SequelizeConnectionError";
  return isTransientCode(code);
}

function isTransientCode(code: string): boolean {
  if (SQLITE_TRANSIENT.some((c) => code === c || code.startsWith(`${c}_`))) return true;
  return POSTGRES_TRANSIENT.has(code) || /^08[0-9A-Z]{3}$/.test(code) || SOCKET_TRANSIENT.has(code);
}

/** `SQLITE_ERROR`, PostgreSQL's `42P01`, or Sequelize's own error name when the driver gave no code. */
function driverCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = rawDriverCode(error);
  if (code !== undefined && /^[A-Z0-9_]{1,40}$/.test(code)) return code;
  return error.name.startsWith("Sequelize") ? error.name : undefined;
}

/** The driver's code: Sequelize keeps the driver's error as `parent` (and `original`); a raw one has it itself. */
function rawDriverCode(error: Error): string | undefined {
  const wrapped = error as { parent?: { code?: unknown }; original?: { code?: unknown }; code?: unknown };
  const code = wrapped.parent?.code ?? wrapped.original?.code ?? wrapped.code;
  return typeof code === "string" ? code : undefined;
}
