import { z } from "zod";
import { AUDIT_OUTCOMES, EXECUTION_STATUSES } from "../commands/command-schemas.js";
import { Command } from "../commands/commands.js";

/**
 * The REST API's routes under /api/v1 (README "HTTP API"), one table that both registers the
 * handlers (rest-api.ts) and writes the OpenAPI document (openapi.ts). Every route is a command:
 * reads become the read commands, approvals the approval commands, so each goes through the same
 * dispatcher, policy and audit as chat.
 */

const id = z.string().min(1).max(100);
const limit = z.coerce.number().int().min(1).max(100);

/** Path parameters as they appear in an OpenAPI path (`{id}`) and, converted, in Hono's (`:id`). */
export interface RouteSpec {
  method: "get" | "post";
  path: string;
  operationId: string;
  summary: string;
  /** The command type the route runs; the caller needs permission for it. */
  commandType: Command["type"] | "commands";
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** `result`: the command's typed result; `say`: the same JSON as `baton say --json`. */
  answer: "result" | "say";
  /** The command to run, from the validated params, query and body. */
  command?: (input: { params: Record<string, string>; query: Record<string, unknown>; body: unknown }) => unknown;
}

/** What `POST /api/v1/commands` takes: text resolved like a chat message, or a typed command. */
export const CommandRequest = z
  .object({
    text: z.string().min(1).max(100_000).optional(),
    command: z.unknown().optional(),
    confirm: z.boolean().optional(),
    wait: z.boolean().optional(),
  })
  .strict()
  .refine((body) => (body.text === undefined) !== (body.command === undefined), {
    message: "send either text or command",
    path: ["text"],
  });

const Verdict = z.object({ note: z.string().max(2000).optional(), wait: z.boolean().optional() }).strict();

export const ROUTES: readonly RouteSpec[] = [
  {
    method: "post",
    path: "/commands",
    operationId: "runCommand",
    summary: "Run a request: `text` as typed in chat, or a typed `command`.",
    commandType: "commands",
    body: CommandRequest,
    answer: "say",
  },
  {
    method: "get",
    path: "/status",
    operationId: "getStatus",
    summary: "Mode, running and waiting runs, health, today's spend.",
    commandType: "status",
    answer: "result",
    command: () => ({ type: "status" }),
  },
  {
    method: "get",
    path: "/executions",
    operationId: "listExecutions",
    summary: "Recent executions, newest first.",
    commandType: "execution.list",
    query: z.object({ status: z.enum(EXECUTION_STATUSES).optional(), limit: limit.optional() }),
    answer: "result",
    command: ({ query }) => ({ type: "execution.list", ...query }),
  },
  {
    method: "get",
    path: "/executions/{id}",
    operationId: "getExecution",
    summary: "One execution with its steps, attempts, outputs and errors.",
    commandType: "execution.show",
    params: z.object({ id }),
    answer: "result",
    command: ({ params }) => ({ type: "execution.show", execution: params.id }),
  },
  {
    method: "post",
    path: "/executions/{id}/approve",
    operationId: "approveExecution",
    summary: "Approve the step an execution waits on.",
    commandType: "execution.approve",
    params: z.object({ id }),
    body: Verdict,
    answer: "say",
    command: ({ params, body }) => ({ type: "execution.approve", execution: params.id, ...verdictNote(body) }),
  },
  {
    method: "post",
    path: "/executions/{id}/reject",
    operationId: "rejectExecution",
    summary: "Reject the step an execution waits on.",
    commandType: "execution.reject",
    params: z.object({ id }),
    body: Verdict,
    answer: "say",
    command: ({ params, body }) => ({ type: "execution.reject", execution: params.id, ...verdictNote(body) }),
  },
  {
    method: "get",
    path: "/workflows",
    operationId: "listWorkflows",
    summary: "Known workflows with their current version.",
    commandType: "workflow.list",
    answer: "result",
    command: () => ({ type: "workflow.list" }),
  },
  {
    method: "get",
    path: "/workflows/{name}",
    operationId: "getWorkflow",
    summary: "A workflow's definition, inputs and versions.",
    commandType: "workflow.show",
    params: z.object({ name: id }),
    answer: "result",
    command: ({ params }) => ({ type: "workflow.show", workflow: params.name }),
  },
  {
    method: "get",
    path: "/schedules",
    operationId: "listSchedules",
    summary: "Scheduled actions with their next fire.",
    commandType: "schedule.list",
    answer: "result",
    command: () => ({ type: "schedule.list" }),
  },
  {
    method: "get",
    path: "/audit",
    operationId: "listAudit",
    summary: "Audit entries, newest first; page with `before` (the last id of the previous page).",
    commandType: "history",
    query: z.object({
      actor: z.string().min(1).max(200).optional(),
      command: z.string().min(1).max(64).optional(),
      outcome: z.enum(AUDIT_OUTCOMES).optional(),
      since: z.string().optional(),
      until: z.string().optional(),
      limit: limit.optional(),
      before: z.coerce.number().int().positive().optional(),
    }),
    answer: "result",
    command: ({ query }) => {
      const { actor, ...rest } = query;
      return { type: "history", ...(actor === undefined ? {} : { user: actor }), ...rest };
    },
  },
  {
    method: "get",
    path: "/agents",
    operationId: "listAgents",
    summary: "Active specialist agents.",
    commandType: "agent.list",
    answer: "result",
    command: () => ({ type: "agent.list" }),
  },
  {
    method: "get",
    path: "/budgets",
    operationId: "showBudgets",
    summary: "Budgets and spend, for every scope or one.",
    commandType: "budget.show",
    query: z.object({ scope: z.string().min(1).max(200).optional() }),
    answer: "result",
    command: ({ query }) => ({ type: "budget.show", ...query }),
  },
  {
    method: "get",
    path: "/proposals",
    operationId: "listProposals",
    summary: "Proposals /improve made, newest first, with their diff and replay.",
    commandType: "proposal.list",
    query: z.object({
      status: z.enum(["proposed", "applied", "discarded"]).optional(),
      workflow: id.optional(),
      limit: limit.optional(),
    }),
    answer: "result",
    command: ({ query }) => ({ type: "proposal.list", ...query }),
  },
];

function verdictNote(body: unknown): { note?: string } {
  const note = (body as { note?: unknown } | undefined)?.note;
  return typeof note === "string" && note.length > 0 ? { note } : {};
}

/** Validates a route's command with the command table's own schema: what reaches the dispatcher is a Command. */
export function commandOf(input: unknown): z.ZodSafeParseResult<Command> {
  return Command.safeParse(input);
}

/** `/executions/{id}` → `/executions/:id`. */
export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ":$1");
}
