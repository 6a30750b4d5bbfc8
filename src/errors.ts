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
 * for the log.
 */
export function databaseError(error: unknown): BatonError {
  const code = driverCode(error);
  const what = code === undefined ? "" : ` (${code})`;
  return new BatonError("database_error", `The database refused the request${what}; baton's log has the details.`, {
    cause: error,
    retryable: true,
  });
}

/** `SQLITE_ERROR`, PostgreSQL's `42P01`, or Sequelize's own error name when the driver gave no code. */
function driverCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const parent =
    (error as { parent?: unknown; original?: unknown }).parent ?? (error as { original?: unknown }).original;
  const code = (parent as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code;
  if (typeof code === "string" && /^[A-Z0-9_]{1,40}$/.test(code)) return code;
  return error.name.startsWith("Sequelize") ? error.name : undefined;
}
