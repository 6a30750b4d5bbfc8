import type { z } from "zod";
import { type Clock, clockTimeout } from "../../clock.js";
import { BatonError, toBatonError } from "../../errors.js";
import { StepTimeoutError } from "../workflow/control-errors.js";
import { EgressClient } from "./egress/egress-client.js";
import { EgressPolicy, type EgressPolicyOptions } from "./egress/egress-policy.js";
import { RequestBudgets } from "./egress/request-budget.js";
import { createHttpGetTool, createHttpPostTool } from "./http.js";
import { templateTool } from "./template-tool.js";
import type { JsonValue, Tool } from "./types.js";
import { waitTool } from "./wait.js";

/** The tools `tool:` steps may name. Definitions are validated against it when they load. */
export class ToolRegistry {
  readonly #tools = new Map<string, Tool>();

  register<Args>(tool: Tool<Args>): this {
    if (this.#tools.has(tool.name)) {
      throw new BatonError("internal", `The tool \`${tool.name}\` is registered twice.`);
    }
    // A Tool<Args> is only ever run through runTool, which validates with its own `args` schema first.
    this.#tools.set(tool.name, tool as unknown as Tool);
    return this;
  }

  get(name: string): Tool | undefined {
    return this.#tools.get(name);
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  names(): string[] {
    return [...this.#tools.keys()].sort();
  }
}

export const DEFAULT_MAX_REQUESTS_PER_RUN = 100;

export interface BuiltinToolOptions {
  /** The egress policy's exceptions (BATON_HTTP_ALLOW) and its resolver seam; none: public addresses only. */
  egress?: EgressPolicyOptions;
  maxRequestsPerRun?: number;
}

/** http.get, http.post, template and wait; the http tools connect only where the egress policy allows. */
export function createBuiltinTools(options: BuiltinToolOptions = {}): ToolRegistry {
  const http = {
    client: new EgressClient(new EgressPolicy(options.egress)),
    budgets: new RequestBudgets(options.maxRequestsPerRun ?? DEFAULT_MAX_REQUESTS_PER_RUN),
  };
  return new ToolRegistry()
    .register(createHttpGetTool(http))
    .register(createHttpPostTool(http))
    .register(templateTool)
    .register(waitTool);
}

export interface RunToolOptions {
  /** Aborted when the execution is cancelled (or the process shuts down). */
  signal: AbortSignal;
  /** Times the step's timeout and the tool's own waits. */
  clock: Clock;
  timeoutMs?: number;
  /** The execution the call belongs to (per-run limits). */
  runId?: string;
}

/**
 * Validates rendered arguments, runs the tool under `signal` plus an optional timeout, and turns
 * every failure into a BatonError: `step_failed` for bad arguments, `step_timeout`, `cancelled`,
 * or whatever the tool threw (normalised).
 */
export async function runTool(tool: Tool, rawArgs: unknown, options: RunToolOptions): Promise<JsonValue> {
  const { signal, clock, timeoutMs, runId } = options;
  if (signal.aborted) throw cancelled(signal.reason);
  const args = parseArgs(tool, rawArgs);
  const timeout =
    timeoutMs === undefined ? null : clockTimeout(clock, timeoutMs, () => new StepTimeoutError(timeoutMs));
  const combined = timeout === null ? signal : AbortSignal.any([signal, timeout.signal]);
  try {
    const context = { signal: combined, clock, ...(runId !== undefined && { runId }) };
    return await untilAborted(tool.run(args, context), combined);
  } catch (error) {
    if (signal.aborted) throw cancelled(error);
    if (timeout?.signal.aborted) {
      throw new StepTimeoutError(timeoutMs ?? 0, { cause: error });
    }
    // A plain Error from a tool is taken as transient trouble: a retry policy may try again.
    if (error instanceof BatonError || (error instanceof Error && error.name === "AbortError"))
      throw toBatonError(error);
    const message = error instanceof Error ? error.message : String(error);
    throw new BatonError("tool_error", `${tool.name} failed: ${message}`, { cause: error, retryable: true });
  } finally {
    timeout?.cancel();
  }
}

function parseArgs(tool: Tool, rawArgs: unknown): unknown {
  const parsed = tool.args.safeParse(rawArgs, { error: validationMessage });
  if (parsed.success) return parsed.data;
  throw new BatonError("step_failed", describeArgsIssue(tool.name, parsed.error), { cause: parsed.error });
}

function describeArgsIssue(toolName: string, error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return `The arguments for \`${toolName}\` are invalid.`;
  const field = issue.code === "unrecognized_keys" ? [...issue.path, ...issue.keys] : issue.path;
  const reason = issue.code === "unrecognized_keys" ? "is not a known argument" : issue.message;
  if (field.length === 0) return `The arguments for \`${toolName}\` are invalid: ${reason}.`;
  return `The argument \`${field.join(".")}\` for \`${toolName}\` is invalid: ${reason}.`;
}

/** Rejects as soon as `signal` aborts, even if the tool ignores it (a tool must not hold a step hostage). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function cancelled(cause: unknown): BatonError {
  return new BatonError("cancelled", "The step was cancelled.", { cause });
}

/**
 * A per-parse zod error map whose messages finish a sentence that names the field, e.g.
 * "field `timeoutMs`: must be at least 1". Schema-level messages still win over these.
 */
export const validationMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? "is required"
        : `must be ${article(issue.expected)}, not ${kindOf(issue.input)}`;
    case "invalid_value":
      return `must be ${issue.values.map((value) => `\`${String(value)}\``).join(" or ")}`;
    case "too_small":
      return `must be ${boundText("at least", issue.origin, issue.minimum)}`;
    case "too_big":
      return `must be ${boundText("at most", issue.origin, issue.maximum)}`;
    case "invalid_key":
      return issue.issues[0]?.message;
    default:
      return undefined;
  }
};

function boundText(relation: string, origin: string, bound: number | bigint): string {
  if (origin === "string")
    return bound === 1 && relation === "at least" ? "non-empty" : `${relation} ${bound} characters long`;
  if (origin === "array" || origin === "set") return `a list of ${relation} ${bound} item${bound === 1 ? "" : "s"}`;
  return `${relation} ${bound}`;
}

function article(expected: string): string {
  const names: Record<string, string> = { object: "a mapping", array: "a list", int: "a whole number" };
  return names[expected] ?? (/^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`);
}

function kindOf(value: unknown): string {
  if (value === null) return "empty";
  if (Number.isNaN(value)) return "text that is not a number";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${article(typeof value)} (${JSON.stringify(value)})`;
}
