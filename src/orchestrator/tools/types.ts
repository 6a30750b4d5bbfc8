import type { z } from "zod";
import type { Clock } from "../../clock.js";

/** Any value that survives `JSON.stringify` → `JSON.parse` unchanged; step outputs are stored as JSON. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface ToolRunContext {
  /** Aborts on cancellation and on the step's timeout; a tool stops promptly when it fires. */
  signal: AbortSignal;
  /** Where the tool's waits come from (the wait tool sleeps on it). */
  clock: Clock;
  /** The execution this call belongs to, for per-run limits (HTTP requests); absent outside a run. */
  runId?: string;
}

/** One thing a `tool` step can do. Arguments are rendered from templates, then validated by `args`. */
export interface Tool<Args = unknown> {
  /** e.g. `http.get`; the value of `tool:` in a workflow step. */
  name: string;
  description: string;
  /** May be re-run after a crash without harm (a GET, a wait); a POST is not. */
  idempotent: boolean;
  /** Validated AFTER templates are rendered, so it sees the final values. */
  args: z.ZodType<Args>;
  run(args: Args, ctx: ToolRunContext): Promise<JsonValue>;
}
