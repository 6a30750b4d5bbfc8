import type { Clock } from "../../clock.js";
import type { CommandOf } from "../../commands/commands.js";
import { isOneOf, type RequestContext } from "../../commands/context.js";
import type { ExecutionRecord, ExecutionRepository } from "../../db/repositories/execution-repository.js";
import { BatonError } from "../../errors.js";
import { newId } from "../ids.js";
import type { ExecutionDetail, Result, WorkflowSummary } from "../results.js";
import type { WorkflowCatalog } from "../workflow/catalog.js";
import { resolveInputs, secretInputNames, type WorkflowDefinition } from "../workflow/definition.js";
import type { WorkflowRunner } from "../workflow/runner.js";
import { checkWorkflowAccess } from "../workflow/workflow-access.js";
import type { Handlers } from "./handler.js";

/** Enough to look an execution and its workflow up. */
export interface WorkflowLookups {
  catalog: WorkflowCatalog;
  executions: ExecutionRepository;
}

export interface WorkflowHandlerDeps extends WorkflowLookups {
  runner: WorkflowRunner;
  clock: Clock;
  owner: string;
}

type WorkflowCommandType =
  | "workflow.list"
  | "workflow.show"
  | "workflow.run"
  | "execution.list"
  | "execution.show"
  | "execution.cancel";

/** Workflows and their executions (rollback is `/improve`'s, approvals are the decision handlers'). */
export function workflowHandlers(deps: WorkflowHandlerDeps): Handlers<WorkflowCommandType> {
  return {
    "workflow.list": () => listWorkflows(deps),
    "workflow.show": (command) => showWorkflow(command, deps),
    "workflow.run": (command, context) => runWorkflow(command, context, deps),
    "execution.list": (command) => listExecutions(command, deps),
    "execution.show": async (command) => ({
      type: "execution.show",
      detail: await executionDetail(command.execution, deps),
    }),
    "execution.cancel": (command, context) => cancelExecution(command, context, deps),
  };
}

export function summarise(name: string, version: number, definition: WorkflowDefinition): WorkflowSummary {
  return {
    name,
    description: definition.description ?? null,
    currentVersion: version,
    inputs: Object.entries(definition.inputs ?? {}).map(([input, spec]) => ({
      name: input,
      required: spec.required ?? false,
      ...(spec.description !== undefined && { description: spec.description }),
      ...(spec.default !== undefined && { default: String(spec.default) }),
    })),
    steps: definition.steps.map((step) => ({
      id: step.id,
      kind: step.kind,
      ...(step.kind === "tool" && { tool: step.tool }),
      ...(step.kind === "workflow" && { tool: `workflow:${step.workflow.name}` }),
      ...(step.description !== undefined && { description: step.description }),
    })),
  };
}

async function listWorkflows(deps: WorkflowHandlerDeps): Promise<Result> {
  const workflows: WorkflowSummary[] = [];
  for (const record of await deps.catalog.list()) {
    const definition = await deps.catalog.definition(record.name, record.currentVersion);
    workflows.push(summarise(record.name, record.currentVersion, definition));
  }
  return { type: "workflow.list", workflows, problems: deps.catalog.loadProblems() };
}

async function showWorkflow(command: CommandOf<"workflow.show">, deps: WorkflowHandlerDeps): Promise<Result> {
  const { record, definition } = await deps.catalog.current(command.workflow);
  const versions = await deps.catalog.versions(record.name);
  return {
    type: "workflow.show",
    workflow: {
      ...summarise(record.name, record.currentVersion, definition),
      versions: versions.map((v) => ({
        version: v.version,
        source: v.source,
        createdAt: v.createdAt,
        createdBy: v.createdBy,
      })),
    },
  };
}

async function runWorkflow(
  command: CommandOf<"workflow.run">,
  context: RequestContext,
  deps: WorkflowHandlerDeps,
): Promise<Result> {
  const { record, definition } = await deps.catalog.current(command.workflow);
  checkWorkflowAccess(definition, context);
  const input = resolveInputs(definition, command.input);
  const now = deps.clock.now();
  const execution: ExecutionRecord = {
    id: newId("ex"),
    workflowName: record.name,
    workflowVersion: record.currentVersion,
    status: "running",
    input,
    output: null,
    errorCode: null,
    errorMessage: null,
    requestedBy: context.actor.id,
    requestedByName: context.actor.name,
    platform: context.origin.platform,
    channel: context.origin.channel,
    thread: context.origin.thread,
    leaseOwner: deps.owner,
    leaseExpiresAt: deps.runner.leaseUntil(),
    waitingFor: null,
    createdAt: now,
    startedAt: now,
    finishedAt: null,
  };
  await deps.executions.create({ ...execution, secretInputs: secretInputNames(definition) });
  deps.runner.start(execution, definition);
  return { type: "workflow.run", execution };
}

async function listExecutions(command: CommandOf<"execution.list">, deps: WorkflowHandlerDeps): Promise<Result> {
  const executions = await deps.executions.list({
    limit: command.limit ?? 10,
    ...(command.status && { status: command.status }),
  });
  return { type: "execution.list", executions, ...(command.status !== undefined && { status: command.status }) };
}

export async function executionDetail(id: string, deps: WorkflowLookups): Promise<ExecutionDetail> {
  const execution = await deps.executions.get(id);
  if (!execution) {
    throw new BatonError(
      "not_found",
      `There is no execution \`${id}\`. Try \`/orchestrate runs\` to list recent ones.`,
    );
  }
  const attempts = await deps.executions.attempts(id);
  const definition = await deps.catalog.definition(execution.workflowName, execution.workflowVersion).catch(() => null);
  // A parallel group counts as attempted once any of its branches (`group.branch`) was.
  const attempted = new Set(attempts.flatMap((a) => [a.stepPath, a.stepPath.split(".")[0] ?? a.stepPath]));
  const pendingSteps =
    definition && !isFinished(execution.status)
      ? definition.steps.map((s) => s.id).filter((s) => !attempted.has(s))
      : [];
  return { execution, attempts, pendingSteps };
}

async function cancelExecution(
  command: CommandOf<"execution.cancel">,
  context: RequestContext,
  deps: WorkflowHandlerDeps,
): Promise<Result> {
  const { execution } = await executionDetail(command.execution, deps);
  // Operators cancel their own runs (README "Permissions"); anyone's takes the admin role.
  const own = isOneOf(context.actor, execution.platform, execution.requestedBy);
  if (context.permission.ownRunsOnly && !own)
    throw new BatonError(
      "denied",
      `You may cancel only runs you started; \`${execution.id}\` was started by ${execution.requestedByName ?? execution.requestedBy}, so cancelling it needs the admin role.`,
    );
  const now = deps.clock.now();
  const cancelled = await deps.executions.transition(
    execution.id,
    ["pending", "running", "waiting", "interrupted"],
    {
      status: "cancelled",
      errorCode: "cancelled",
      errorMessage: "Cancelled on request.",
      finishedAt: now,
      waitingFor: null,
    },
    now,
  );
  if (cancelled) {
    await deps.executions.settleWaitingAttempts(execution.id, { status: "cancelled", finishedAt: now });
    deps.runner.abort(execution.id);
    await deps.runner.whenSettled(execution.id);
  }
  const latest = (await deps.executions.get(execution.id)) ?? execution;
  return { type: "execution.cancel", execution: latest, alreadyFinished: !cancelled };
}

export function isFinished(status: string): boolean {
  return status === "succeeded" || status === "failed" || status === "cancelled";
}
