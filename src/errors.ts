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
  const message = error instanceof Error ? error.message : String(error);
  // Sequelize's errors are named Sequelize*; only src/db imports Sequelize, so match the name.
  if (error instanceof Error && error.name.startsWith("Sequelize")) {
    return new BatonError("database_error", `The database refused the request: ${message}`, {
      cause: error,
      retryable: true,
    });
  }
  return new BatonError("internal", `Something went wrong inside baton: ${message}`, { cause: error });
}
