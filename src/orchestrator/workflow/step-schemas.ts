import { z } from "zod";
import { RetryPolicy } from "./retry.js";

/**
 * The step kinds of a workflow definition, each with a `kind` discriminator added on parse (the YAML
 * says `tool: http.get` or `approval: {…}`; the engine switches on `step.kind`).
 */

export const IDENTIFIER = /^[a-z][a-z0-9_-]*$/;
export const Identifier = z
  .string()
  .max(64)
  .regex(IDENTIFIER, { error: "must start with a lowercase letter and use only a-z, 0-9, `_` or `-`" });

/** YAML turns `key:` with nothing after it into null; treat that as an empty mapping. */
export const emptyIfNull = (value: unknown) => value ?? {};

const stepFields = {
  id: Identifier,
  description: z.string().max(500).optional(),
  /** Per-attempt limit for the step; the runner turns it into a `step_timeout` error. */
  timeoutMs: z
    .int()
    .min(1)
    .max(24 * 60 * 60 * 1000)
    .optional(),
  /** `continue`: record the failure and run the next step anyway. */
  onError: z.enum(["fail", "continue"]).default("fail"),
  /** Attempts, delay, backoff and jitter; a failure that cannot pass (NonRetriableError) is never retried. */
  retry: z.preprocess(emptyIfNull, RetryPolicy).optional(),
  /** A condition in the safe expression language (expression.ts); false skips the step. */
  when: z.string().min(1).max(2000).optional(),
};

export const ToolStep = z.strictObject({
  ...stepFields,
  /** Added on parse; accepted on input so a stored (parsed) definition validates again. */
  kind: z.literal("tool"),
  tool: z.string().min(1).max(100),
  /** Arguments; every string may hold `{{ placeholders }}`, rendered just before the tool runs. */
  with: z.preprocess(emptyIfNull, z.record(z.string(), z.unknown())),
});
export type ToolStep = z.infer<typeof ToolStep>;

/**
 * Asks a specialist agent (through the AgentRunner seam); its output is `{ text, provider, model }`.
 * Without an LLM provider configured the step fails with one sentence saying what to set.
 */
export const AgentStep = z.strictObject({
  ...stepFields,
  kind: z.literal("agent"),
  agent: z.strictObject({
    /** e.g. researcher, writer, critic; the agents issue defines them in YAML. */
    specialty: Identifier.default("assistant"),
    /** What to ask; may hold `{{ placeholders }}`. */
    prompt: z.string().min(1).max(20_000),
  }),
});
export type AgentStep = z.infer<typeof AgentStep>;

/**
 * Runs another workflow as one step (a child execution, pinned to that workflow's current version,
 * listed with its own steps). Its output is `{ execution, steps }`: the child's id and its steps'
 * outputs. A cut-off sub-workflow step re-attaches to its child after a restart instead of starting
 * a second one.
 */
export const WorkflowCallStep = z.strictObject({
  ...stepFields,
  kind: z.literal("workflow"),
  workflow: z.strictObject({
    name: Identifier,
    /** The child's inputs; every value may hold `{{ placeholders }}`. */
    input: z.preprocess(emptyIfNull, z.record(z.string(), z.string().max(10_000))),
  }),
});
export type WorkflowCallStep = z.infer<typeof WorkflowCallStep>;

/** What an approval step asks, and who may answer. */
export const ApprovalRequest = z.strictObject({
  /** Shown to the people who may decide; may hold `{{ placeholders }}`. */
  prompt: z.string().min(1).max(2000),
  /** Who may decide: `platform:userId` or a bare user id (never a display name). Default: anyone the policy lets change state. */
  approvers: z.array(z.string().min(1).max(200)).min(1).max(100).optional(),
  /** Whether the person who started the run may approve it. */
  allowRequester: z.boolean().default(true),
  /** What happens when `timeoutMs` passes with no decision. */
  onTimeout: z.enum(["approve", "reject"]).default("reject"),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

const { retry: _retry, ...approvalFields } = stepFields;

/**
 * Pauses the execution (status `waiting`) until a person approves or rejects it, or `timeoutMs`
 * passes. Its output is `{ approved, by, note }`; a rejection fails the step (onError applies).
 */
export const ApprovalStep = z.strictObject({
  ...approvalFields,
  kind: z.literal("approval"),
  approval: ApprovalRequest,
});
export type ApprovalStep = z.infer<typeof ApprovalStep>;

/**
 * The YAML says `tool:` or `approval:`; the step's `kind` is read from that before validation, so
 * errors come from the one schema that applies (not a vague "invalid input" from the union).
 */
function withKind(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value) || "kind" in value) return value;
  const kinds = ["approval", "parallel", "loop", "agent", "workflow", "map"] as const;
  const kind = kinds.find((name) => name in value) ?? "tool";
  return { ...value, kind };
}

/** A step inside a parallel group or a loop: a tool, agent or sub-workflow step (groups and loops do not nest, and approvals wait alone). */
const BranchStep = z.preprocess(withKind, z.discriminatedUnion("kind", [ToolStep, AgentStep, WorkflowCallStep]));
export type BranchStep = z.infer<typeof BranchStep>;

/**
 * Runs its steps concurrently, at most `maxConcurrency` at a time. Each branch is an ordinary tool
 * step with its own retries, timeout and onError; the group fails when a branch fails (after all
 * branches settle, so finished branches stay finished). Its output maps branch ids to outputs, and
 * each branch's output is also `steps.<branch id>.output`.
 */
export const ParallelStep = z.strictObject({
  id: stepFields.id,
  description: stepFields.description,
  onError: stepFields.onError,
  when: stepFields.when,
  kind: z.literal("parallel"),
  parallel: z.strictObject({
    maxConcurrency: z.int().min(1).max(32).default(4),
    steps: z.array(BranchStep).min(1).max(50),
  }),
});
export type ParallelStep = z.infer<typeof ParallelStep>;

/**
 * Repeats its steps until `until` holds, at most `maxIterations` times. With `score` (a number to
 * maximise, e.g. a critic's rating) the loop returns the best iteration so far, and with `plateau`
 * it stops after that many iterations without a better score. Inside, `loop.iteration` (from 1),
 * `loop.previous` (the last iteration's outputs) and `loop.best` (the best one's) can be read.
 */
export const LoopStep = z.strictObject({
  id: stepFields.id,
  description: stepFields.description,
  onError: stepFields.onError,
  when: stepFields.when,
  kind: z.literal("loop"),
  loop: z.strictObject({
    maxIterations: z.int().min(1).max(100).default(10),
    until: z.string().min(1).max(2000).optional(),
    score: z.string().min(1).max(2000).optional(),
    plateau: z.int().min(1).max(100).optional(),
    steps: z.array(BranchStep).min(1).max(50),
  }),
});
export type LoopStep = z.infer<typeof LoopStep>;

/**
 * Runs one step for every item of a list, at most `maxConcurrency` at a time (a fan-out whose width
 * is known only at run time: the map of map-reduce). `over` is an expression whose value is a list,
 * or text split on commas and new lines. Inside, `item` and `index` (from 0) can be read. Its output
 * is the list of the items' outputs, in order; attempts are recorded under `map.<index>.<step>`.
 */
export const MapStep = z.strictObject({
  id: stepFields.id,
  description: stepFields.description,
  onError: stepFields.onError,
  when: stepFields.when,
  kind: z.literal("map"),
  map: z.strictObject({
    over: z.string().min(1).max(2000),
    maxConcurrency: z.int().min(1).max(32).default(4),
    maxItems: z.int().min(1).max(500).default(100),
    step: BranchStep,
  }),
});
export type MapStep = z.infer<typeof MapStep>;

export const WorkflowStep = z.preprocess(
  withKind,
  z.discriminatedUnion("kind", [ToolStep, ApprovalStep, ParallelStep, LoopStep, AgentStep, WorkflowCallStep, MapStep]),
);
export type WorkflowStep = z.infer<typeof WorkflowStep>;

/** Every step with the path its attempts are recorded under (`group.branch` inside a parallel group). */
export function* stepsWithPaths(steps: readonly WorkflowStep[]): Generator<[WorkflowStep | ToolStep, string]> {
  for (const step of steps) {
    yield [step, step.id];
    if (step.kind === "parallel") for (const branch of step.parallel.steps) yield [branch, `${step.id}.${branch.id}`];
    if (step.kind === "loop") for (const inner of step.loop.steps) yield [inner, `${step.id}.${inner.id}`];
    if (step.kind === "map") yield [step.map.step, `${step.id}.${step.map.step.id}`];
  }
}
