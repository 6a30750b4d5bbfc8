import { createHash } from "node:crypto";
import { z } from "zod";
import type { Clock } from "../../clock.js";
import type { ExecutionRecord, ExecutionRepository } from "../../db/repositories/execution-repository.js";
import { BatonError } from "../../errors.js";
import type { JsonValue, Tool } from "../tools/types.js";
import type { WorkflowCatalog } from "./catalog.js";
import { NonRetriableError } from "./control-errors.js";
import { resolveInputs, secretInputNames, type WorkflowDefinition } from "./definition.js";
import { CANCELLED } from "./run-control.js";

/** Sub-workflows may nest this deep; deeper is almost certainly a cycle (a → b → a). */
export const MAX_WORKFLOW_DEPTH = 5;
/** How often a parent looks at a child running in another process (or waiting for a person). */
const POLL_MS = 500;

/** What the launcher needs of the runner: starting a child here and following it. */
export interface ChildRunner {
  start(execution: ExecutionRecord, definition: WorkflowDefinition): void;
  isRunningHere(id: string): boolean;
  whenSettled(id: string): Promise<unknown>;
  abort(id: string): void;
  leaseUntil(): Date;
}

export interface SubWorkflowDeps {
  /** The runner that builds this launcher and runs the children it starts. */
  runner: ChildRunner;
  catalog: WorkflowCatalog;
  executions: ExecutionRepository;
  clock: Clock;
  owner: string;
}

/** Which step of which run asks for a child, and on which attempt. */
export interface ChildCall {
  parent: ExecutionRecord;
  stepPath: string;
  attempt: number;
}

const WorkflowArgs = z.object({ name: z.string().min(1), input: z.record(z.string(), z.string()) });
const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

/**
 * Runs `workflow` steps as child executions. A child's id is derived from (parent, step path,
 * attempt), so a step cut off by a crash finds the child it started — still running, waiting, or
 * already finished — instead of starting a second one; a retry after a failed child starts anew.
 */
export class SubWorkflows {
  constructor(private readonly deps: SubWorkflowDeps) {}

  /** A `workflow` step as a tool, so it gets attempts, retries, timeout and onError like any step. */
  tool(call: ChildCall): Tool<z.infer<typeof WorkflowArgs>> {
    return {
      name: "workflow",
      description: "Runs another workflow as one step.",
      // Safe to repeat: a repeat re-attaches to the child it started (childId is deterministic).
      idempotent: true,
      args: WorkflowArgs,
      run: (args, { signal }) => this.run(call, args.name, args.input, signal),
    };
  }

  private async run(call: ChildCall, name: string, input: Record<string, string>, signal: AbortSignal) {
    const child = (await this.earlierChild(call)) ?? (await this.startChild(call, name, input));
    try {
      const finished = await this.follow(child.id, signal);
      if (finished.status === "succeeded") {
        return { execution: child.id, steps: (finished.output ?? {}) as JsonValue } as JsonValue;
      }
      throw new BatonError(
        "subworkflow_failed",
        `Sub-workflow \`${child.workflowName}\` (\`${child.id}\`) ${finished.status}: ${finished.errorMessage ?? "no reason given"}`,
        { retryable: finished.status === "failed" },
      );
    } finally {
      if (signal.aborted && signal.reason === CANCELLED) await this.cancelChild(child.id);
    }
  }

  /** The child an earlier, cut-off attempt of this step started, unless it failed (then retry anew). */
  private async earlierChild(call: ChildCall): Promise<ExecutionRecord | null> {
    for (let attempt = call.attempt; attempt >= 1; attempt -= 1) {
      const child =
        (await this.deps.executions.get(childId(call, attempt))) ??
        (await this.deps.executions.get(childId(call, attempt, LEGACY_HEX_DIGITS)));
      if (!child) continue;
      return child.status === "failed" || child.status === "cancelled" ? null : child;
    }
    return null;
  }

  private async startChild(call: ChildCall, name: string, input: Record<string, string>): Promise<ExecutionRecord> {
    const { runner } = this.deps;
    const ancestors = await this.deps.executions.ancestors(call.parent.id, MAX_WORKFLOW_DEPTH);
    if (ancestors.length + 1 >= MAX_WORKFLOW_DEPTH) {
      throw new NonRetriableError(
        `Sub-workflows nest more than ${MAX_WORKFLOW_DEPTH} deep here (\`${call.parent.workflowName}\` → \`${name}\`); check for a cycle.`,
      );
    }
    const { record, definition } = await this.deps.catalog.current(name).catch((error: unknown) => {
      throw new NonRetriableError(error instanceof Error ? error.message : String(error), { cause: error });
    });
    let resolved: Record<string, string>;
    try {
      resolved = resolveInputs(definition, input);
    } catch (error) {
      throw new NonRetriableError(`Sub-workflow \`${name}\`: ${error instanceof Error ? error.message : error}`);
    }
    const now = this.deps.clock.now();
    const child: ExecutionRecord = {
      ...call.parent,
      id: childId(call, call.attempt),
      workflowName: record.name,
      workflowVersion: record.currentVersion,
      status: "running",
      input: resolved,
      output: null,
      errorCode: null,
      errorMessage: null,
      leaseOwner: this.deps.owner,
      leaseExpiresAt: runner.leaseUntil(),
      waitingFor: null,
      createdAt: now,
      startedAt: now,
      finishedAt: null,
    };
    await this.deps.executions.create({
      ...child,
      parentExecutionId: call.parent.id,
      secretInputs: secretInputNames(definition),
    });
    runner.start(child, definition);
    return child;
  }

  /** Waits for the child to finish: at once when it runs here, by looking every POLL_MS otherwise. */
  private async follow(id: string, signal: AbortSignal): Promise<ExecutionRecord> {
    const { runner } = this.deps;
    for (;;) {
      if (runner.isRunningHere(id)) await unlessAborted(runner.whenSettled(id), signal);
      const child = await this.deps.executions.get(id);
      if (!child) throw new BatonError("not_found", `Sub-workflow execution \`${id}\` has disappeared.`);
      if (FINISHED.has(child.status)) return child;
      // Waiting for a person, or running in another process (resumed there after a restart).
      await this.deps.clock.sleep(POLL_MS, signal);
    }
  }

  private async cancelChild(id: string): Promise<void> {
    const now = this.deps.clock.now();
    const patch = { status: "cancelled", errorCode: "cancelled", errorMessage: "Its parent run was cancelled." };
    await this.deps.executions.transition(
      id,
      ["pending", "running", "waiting", "interrupted"],
      { ...patch, finishedAt: now, waitingFor: null },
      now,
    );
    await this.deps.executions.settleWaitingAttempts(id, { status: "cancelled", finishedAt: now });
    this.deps.runner.abort(id);
  }
}

/** Resolves with `work`, or rejects as soon as `signal` aborts (a cancelled parent stops waiting). */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Children started before ids had 64 bits were named with 8 hex digits; a resumed parent still finds them. */
const LEGACY_HEX_DIGITS = 8;

/** `ex_` + 16 hex, like every execution id (see ids.ts), fixed by (parent, step path, attempt). */
function childId(call: ChildCall, attempt: number, hexDigits = 16): string {
  const digest = createHash("sha256").update(`${call.parent.id}/${call.stepPath}/${attempt}`).digest("hex");
  return `ex_${digest.slice(0, hexDigits)}`;
}
