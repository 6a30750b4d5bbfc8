import { isDeepStrictEqual } from "node:util";
import type { Clock } from "../../clock.js";
import type { StepAttemptRecord } from "../../db/repositories/execution-repository.js";
import { toBatonError } from "../../errors.js";
import { type AgentRunner, agentTool } from "../agents.js";
import { runTool, type ToolRegistry } from "../tools/registry.js";
import type { JsonValue } from "../tools/types.js";
import type { WorkflowDefinition } from "../workflow/definition.js";
import { evaluateCondition } from "../workflow/expression.js";
import { renderValue, type TemplateScope } from "../workflow/template.js";

export interface ReplayStep {
  id: string;
  /** recorded: the run's own output stood in; ran: executed now; skipped: `when` was false. */
  source: "recorded" | "ran" | "skipped" | "not_replayed";
  status: "succeeded" | "failed" | "skipped" | "not_replayed";
  output?: JsonValue;
  error?: string;
}

export interface ReplayResult {
  outcome: "succeeded" | "failed" | "incomplete";
  steps: ReplayStep[];
}

export interface ReplayDeps {
  tools: ToolRegistry;
  agents: AgentRunner | null;
  clock: Clock;
  signal: AbortSignal;
}

type Step = WorkflowDefinition["steps"][number];

/**
 * Runs a proposed definition against a recorded run: a step whose definition and rendered input
 * are unchanged takes the run's recorded output (no LLM call, no request); a changed one runs now
 * if that is safe (agent steps, idempotent tools). A tool that is not safe to repeat, or a changed
 * parallel group or loop, ends the replay as incomplete rather than act twice on the world.
 */
export async function replayProposal(
  proposed: WorkflowDefinition,
  recorded: {
    definition: WorkflowDefinition;
    input: Record<string, string>;
    attempts: StepAttemptRecord[];
    executionId: string;
  },
  deps: ReplayDeps,
): Promise<ReplayResult> {
  const scope: TemplateScope = { input: recorded.input, steps: {} };
  const steps: ReplayStep[] = [];
  for (const step of proposed.steps) {
    const result = await replayStep(step, scope, recorded, deps);
    steps.push(result);
    if (result.status === "succeeded") scope.steps[step.id] = { output: result.output ?? null };
    if (result.status === "not_replayed") return { outcome: "incomplete", steps };
    if (result.status === "failed" && step.onError !== "continue") return { outcome: "failed", steps };
  }
  return { outcome: "succeeded", steps };
}

async function replayStep(
  step: Step,
  scope: TemplateScope,
  recorded: { definition: WorkflowDefinition; attempts: StepAttemptRecord[]; executionId: string },
  deps: ReplayDeps,
): Promise<ReplayStep> {
  const { id } = step;
  try {
    if (step.when !== undefined && !evaluateCondition(step.when, { input: scope.input, steps: scope.steps })) {
      return { id, source: "skipped", status: "skipped" };
    }
    const before = recorded.definition.steps.find((s) => s.id === id);
    const attempt = lastSuccess(recorded.attempts, id);
    const sameStep = before !== undefined && isDeepStrictEqual(before, step);
    if (step.kind === "tool" || step.kind === "agent") {
      const input = renderValue(step.kind === "agent" ? step.agent : step.with, scope);
      if (sameStep && attempt && isDeepStrictEqual(attempt.input, input)) return recordedStep(id, attempt);
      const tool = step.kind === "agent" ? agentTool(deps.agents, recorded.executionId) : deps.tools.get(step.tool);
      if (!tool?.idempotent) return notReplayed(id, "its tool is not safe to repeat");
      const output = await runTool(tool, input, {
        signal: deps.signal,
        clock: deps.clock,
        ...(step.timeoutMs !== undefined && { timeoutMs: step.timeoutMs }),
      });
      return { id, source: "ran", status: "succeeded", output };
    }
    if (step.kind === "approval") {
      if (attempt) return recordedStep(id, attempt);
      return { id, source: "ran", status: "succeeded", output: { approved: true, by: "replay", note: null } };
    }
    if (sameStep && attempt) return recordedStep(id, attempt);
    return notReplayed(id, `a changed ${step.kind} step is not replayed`);
  } catch (caught) {
    return { id, source: "ran", status: "failed", error: toBatonError(caught).message };
  }
}

function lastSuccess(attempts: readonly StepAttemptRecord[], path: string): StepAttemptRecord | undefined {
  return attempts.filter((a) => a.stepPath === path && a.status === "succeeded").at(-1);
}

function recordedStep(id: string, attempt: StepAttemptRecord): ReplayStep {
  return { id, source: "recorded", status: "succeeded", output: attempt.output as JsonValue };
}

function notReplayed(id: string, why: string): ReplayStep {
  return { id, source: "not_replayed", status: "not_replayed", error: why };
}
