import { randomBytes } from "node:crypto";
import type { Dispatcher } from "../bot/dispatch.js";
import { OneShotConversation, outcomeJson } from "../bot/one-shot.js";
import type { DispatchOutcome } from "../bot/request-state.js";
import type { Clock } from "../clock.js";
import type { Command } from "../commands/commands.js";
import type { Actor } from "../commands/context.js";
import { toGrammar } from "../routing/rules-grammar.js";
import { type Problem, problem } from "./problem.js";

/** Who is calling: the person a token acts as (REST, MCP), or a webhook's service identity. */
export interface Caller {
  actor: Actor;
  /** The API token used; null for stdio MCP and webhooks. */
  tokenId: number | null;
}

export interface ApiRequest {
  /** The audit log's platform: `api`, `mcp`, `webhook`. */
  platform: string;
  caller: Caller;
  /** Resolved like a chat message (grammar, then the router)… */
  text?: string;
  /** …or a typed command, already validated by its schema. */
  command?: Command;
  /** A destructive command runs only with this set; otherwise 409 with its question. */
  confirm?: boolean | undefined;
  /** Wait for a run to finish (or to wait for a person) before answering. */
  wait?: boolean | undefined;
  /** The channel a reply and a policy decision are about (grants per channel); `api` by default. */
  channel?: string | null | undefined;
  /** Unique per delivery (webhooks); a random one otherwise. */
  dedupeKey?: string;
  /** How to confirm, in the refusal's words ("send it again with \"confirm\": true"). */
  confirmHow?: string;
}

export type SayJson = ReturnType<typeof outcomeJson>;

export type ApiAnswer =
  | { ok: true; status: 200; body: SayJson; outcome: DispatchOutcome }
  | { ok: false; status: number; problem: Problem; body: SayJson | null; outcome: DispatchOutcome };

/** HTTP status for a refusal's code; anything not listed follows the audit outcome. */
const STATUS_BY_CODE: Record<string, number> = {
  confirmation_required: 409,
  duplicate: 409,
  denied: 403,
  not_found: 404,
  invalid_command: 400,
  not_understood: 400,
  input_too_long: 413,
  secret_in_chat: 400,
  unavailable: 503,
  unrecorded: 503,
  budget_exceeded: 429,
};

const STATUS_BY_OUTCOME: Record<string, number> = { invalid: 400, denied: 403, unavailable: 503, error: 500 };

/**
 * One request from a program, through the same dispatcher as chat: parse or route, policy,
 * confirmation (given up front or refused with 409), execute, audit, render. The answer is the
 * same JSON as `baton say --json`, or a problem naming why nothing (or not everything) happened.
 */
export async function runApiRequest(dispatcher: Dispatcher, clock: Clock, request: ApiRequest): Promise<ApiAnswer> {
  const how = request.confirmHow ?? 'send it again with "confirm": true';
  const conversation = new OneShotConversation(request.confirm === true, how);
  const outcome = await dispatcher.dispatch(
    {
      platform: request.platform,
      workspace: null,
      channel: request.channel === undefined ? request.platform : request.channel,
      thread: null,
      actor: request.caller.actor,
      // A typed command is audited in its grammar form, as if it had been typed.
      text: request.command ? toGrammar(request.command) : (request.text ?? ""),
      ...(request.command && { command: request.command }),
      dedupeKey: request.dedupeKey ?? `${request.platform}:${randomBytes(12).toString("hex")}`,
      receivedAt: clock.now(),
    },
    conversation,
  );
  const settled = request.wait === true ? await outcome.settled : { reply: outcome.reply, result: outcome.result };
  const body = outcomeJson(outcome, settled);
  const code = outcome.errorCode;
  if (code === null || code === "needs_clarification") return { ok: true, status: 200, body, outcome };
  const status = STATUS_BY_CODE[code] ?? STATUS_BY_OUTCOME[outcome.outcome] ?? 500;
  const detail = outcome.errorMessage ?? outcome.reply.text;
  const extra = {
    ...(outcome.auditId !== null && { auditId: outcome.auditId }),
    ...(code === "denied" && outcome.command && { permission: outcome.command.type }),
    ...(conversation.question !== null && { question: conversation.question }),
  };
  return { ok: false, status, problem: problem(status, code, detail, extra), body, outcome };
}

/**
 * A refused request from a known sender (a token's person, a hook's identity) still leaves its
 * audit row: outcome `invalid`, with the problem's code and sentence. Nothing runs.
 */
export async function recordRefusal(
  dispatcher: Pick<Dispatcher, "recordInvalid">,
  clock: Clock,
  refused: { platform: string; actor: Actor; text: string; problem: Problem },
): Promise<void> {
  await dispatcher.recordInvalid(
    {
      platform: refused.platform,
      workspace: null,
      channel: refused.platform,
      thread: null,
      actor: refused.actor,
      text: refused.text,
      dedupeKey: `${refused.platform}:invalid:${randomBytes(12).toString("hex")}`,
      receivedAt: clock.now(),
    },
    { code: refused.problem.code, message: refused.problem.detail },
  );
}
