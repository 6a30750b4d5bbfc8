import { z } from "zod";
import { ExecutionStatus } from "../../commands/commands.js";
import type { AuditRepository } from "../../db/repositories/audit-repository.js";
import type { ExecutionRecord, ExecutionRepository } from "../../db/repositories/execution-repository.js";
import { BatonError } from "../../errors.js";
import type { LlmToolSpec } from "../../llm/provider.js";
import { fullId } from "../ids.js";
import type { AgentToolName } from "./specialties.js";

/**
 * Read-only orchestrator queries an agent may call, so an answer about baton's own runs ("why did
 * yesterday's healthcheck fail?") is grounded in the database instead of guessed.
 */
export interface QueryToolDeps {
  executions: ExecutionRepository;
  audit: AuditRepository;
}

interface QueryTool {
  spec: LlmToolSpec;
  run(args: unknown, deps: QueryToolDeps): Promise<unknown>;
}

const ExecutionsArgs = z.object({
  workflow: z.string().max(100).optional(),
  status: ExecutionStatus.optional(),
  limit: z.number().int().min(1).max(50).optional(),
});
const ExecutionArgs = z.object({ execution: z.string().min(1).max(100) });
const HistoryArgs = z.object({
  limit: z.number().int().min(1).max(50).optional(),
  user: z.string().max(200).optional(),
});

const TOOLS: Record<AgentToolName, QueryTool> = {
  status: {
    spec: spec("status", "Running and waiting executions right now.", {}),
    run: async (_args, deps) => ({
      running: (await deps.executions.list({ status: "running", limit: 20 })).map(summary),
      waiting: (await deps.executions.list({ status: "waiting", limit: 20 })).map(summary),
    }),
  },
  executions: {
    spec: spec("executions", "Recent executions, newest first, optionally of one workflow or status.", {
      workflow: { type: "string", description: "workflow name" },
      status: { type: "string", enum: [...ExecutionStatus.options] },
      limit: { type: "integer", minimum: 1, maximum: 50 },
    }),
    run: async (args, deps) => {
      const { workflow, status, limit = 10 } = ExecutionsArgs.parse(args);
      const rows = await deps.executions.list({ limit: workflow ? 100 : limit, ...(status && { status }) });
      return rows
        .filter((row) => !workflow || row.workflowName === workflow)
        .slice(0, limit)
        .map(summary);
    },
  },
  execution: {
    spec: spec("execution", "One execution's steps with status, outputs and errors.", {
      execution: { type: "string", description: "execution id, e.g. ex_1a2b3c4d5e6f7a8b" },
    }),
    run: async (args, deps) => {
      const typed = ExecutionArgs.parse(args).execution;
      // The question may quote a short prefix (`why did ex_3f2a fail?`); several matches come back as the error.
      const execution = await fullId(typed, "execution", deps.executions).catch((error: unknown) => {
        if (error instanceof BatonError) return error;
        throw error;
      });
      if (execution instanceof BatonError) return { error: execution.message };
      const record = await deps.executions.get(execution);
      if (!record) return { error: `There is no execution ${execution}.` };
      const attempts = await deps.executions.attempts(execution);
      return {
        ...summary(record),
        steps: attempts.map((a) => ({
          step: a.stepPath,
          attempt: a.attempt,
          status: a.status,
          error: a.errorMessage,
          output: clipped(a.output),
        })),
      };
    },
  },
  history: {
    spec: spec("history", "Recent commands people ran, from the audit log.", {
      limit: { type: "integer", minimum: 1, maximum: 50 },
      user: { type: "string" },
    }),
    run: async (args, deps) => {
      const { limit = 10, user } = HistoryArgs.parse(args);
      const entries = await deps.audit.recent({ limit, ...(user !== undefined && { actor: user }) });
      return entries.map((e) => ({
        at: e.at.toISOString(),
        actor: e.actorName ?? e.actorId,
        text: e.text,
        outcome: e.outcome,
        error: e.errorMessage,
        execution: e.executionId,
      }));
    },
  },
};

export function queryToolSpecs(names: readonly string[]): LlmToolSpec[] {
  return names.filter(isToolName).map((name) => TOOLS[name].spec);
}

/** Runs a tool the agent called; bad arguments come back as an error the model can read. */
export async function runQueryTool(
  name: string,
  argumentsJson: string,
  allowed: readonly string[],
  deps: QueryToolDeps,
): Promise<{ content: string; isError: boolean }> {
  if (!isToolName(name) || !allowed.includes(name)) {
    return { content: `There is no tool "${name}"; use one of ${allowed.join(", ") || "none"}.`, isError: true };
  }
  try {
    const args: unknown = argumentsJson.trim() === "" ? {} : JSON.parse(argumentsJson);
    return { content: JSON.stringify(await TOOLS[name].run(args, deps)), isError: false };
  } catch (error) {
    const reason = error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message;
    return { content: `The ${name} tool could not run: ${reason}`, isError: true };
  }
}

function isToolName(name: string): name is AgentToolName {
  return Object.hasOwn(TOOLS, name);
}

function spec(name: string, description: string, properties: Record<string, unknown>): LlmToolSpec {
  return { name, description, inputSchema: { type: "object", properties, additionalProperties: false } };
}

function summary(record: ExecutionRecord) {
  return {
    id: record.id,
    workflow: record.workflowName,
    version: record.workflowVersion,
    status: record.status,
    requestedBy: record.requestedByName ?? record.requestedBy,
    createdAt: record.createdAt.toISOString(),
    finishedAt: record.finishedAt?.toISOString() ?? null,
    error: record.errorMessage,
  };
}

function clipped(value: unknown): unknown {
  const text = JSON.stringify(value ?? null);
  return text.length <= 500 ? value : `${text.slice(0, 499)}…`;
}
