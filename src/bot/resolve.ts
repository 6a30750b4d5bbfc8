import type { Clock } from "../clock.js";
import type { Command, CommandType } from "../commands/commands.js";
import type { AuditEntry } from "../db/repositories/audit-repository.js";
import type { ErrorCode } from "../errors.js";
import { parseCommandText } from "../routing/grammar.js";
import type { CommandRouter, ResolvedBy, RouteContext, RouteUsage, ThreadTurn } from "../routing/types.js";
import { truncate, withoutMassMentions } from "../text.js";
import type { ChatRequest } from "./chat.js";
import { inputTooLong } from "./input-limit.js";
import { offered, withoutDidYouMean } from "./offered.js";
import type { CommandRunner, ConversationLookup } from "./ports.js";
import { errorReply, type Reply, reply } from "./reply.js";

/** The outcome of the parse and route steps: a command, or a reply explaining why there is none. */
export type Resolution = (
  | { kind: "command"; command: Command; resolvedBy: ResolvedBy; confidence: number | null; confirm?: boolean }
  | {
      kind: "answer";
      reply: Reply;
      resolvedBy: ResolvedBy | null;
      confidence: number | null;
      code: ErrorCode | "not_understood" | "needs_clarification" | "input_too_long";
      message: string;
      /** What the question's answer completes; the audit row keeps it, so the next turn can. */
      pending?: Command;
    }
) & { usage?: RouteUsage };

export type ResolveRequest = Pick<ChatRequest, "actor" | "platform" | "channel" | "thread"> & {
  auditId?: number;
  /** The command types the asker may run here; a router offers no others. Unset: all of them. */
  permitted?: ReadonlySet<CommandType>;
};

export interface ResolverDeps {
  router: CommandRouter;
  commands: Pick<CommandRunner, "workflowHints">;
  conversations: ConversationLookup;
  /** How many earlier turns of the conversation an LLM router sees. */
  threadTurns: number;
  clock: Clock;
  /** The longest text resolved (BATON_MAX_INPUT_CHARS); longer text is refused before anything reads it. */
  maxInputChars: number;
}

/** Older turns are a different conversation, even in the same thread. */
const CONVERSATION_HORIZON_MS = 24 * 3600_000;

/** Steps 1 and 2 of the dispatcher: the `/orchestrate` grammar first, then the router. */
export class Resolver {
  constructor(private readonly deps: ResolverDeps) {}

  async resolve(text: string, request: ResolveRequest): Promise<Resolution> {
    const tooLong = inputTooLong(text, this.deps.maxInputChars);
    if (tooLong !== null) {
      const answer = errorReply(tooLong);
      return {
        kind: "answer",
        reply: answer,
        resolvedBy: null,
        confidence: null,
        code: "input_too_long",
        message: tooLong,
      };
    }
    const parsed = parseCommandText(text);
    if (parsed.kind === "command")
      return { kind: "command", command: parsed.command, resolvedBy: "grammar", confidence: 1 };
    if (parsed.kind === "error") {
      const { message, suggestions } = this.offer(parsed.message, parsed.suggestions, request);
      return {
        kind: "answer",
        reply: errorReply(message, suggestions),
        resolvedBy: "grammar",
        confidence: null,
        code: "invalid_command",
        message,
      };
    }
    const routed = await this.deps.router.route(text, this.context(request));
    const usage = routed.usage === undefined ? {} : { usage: routed.usage };
    if (routed.kind === "command") {
      return {
        kind: "command",
        command: routed.command,
        resolvedBy: routed.resolvedBy,
        confidence: routed.confidence,
        ...(routed.confirm === true && { confirm: true }),
        ...usage,
      };
    }
    if (routed.kind === "suggest") {
      const { message, suggestions } = this.offer(routed.message, routed.suggestions, request);
      return {
        kind: "answer",
        reply: errorReply(message, suggestions),
        resolvedBy: routed.resolvedBy,
        confidence: routed.confidence,
        code: "not_understood",
        message,
        ...usage,
      };
    }
    // A clarifying question is asked in the thread, to everyone there, like any answer; it is the
    // model's text, so it is capped and cannot ping the channel.
    const asked = withoutMassMentions(truncate(routed.question, 500));
    const question = reply(asked, [{ type: "section", text: asked }]);
    return {
      kind: "answer",
      reply: question,
      resolvedBy: routed.resolvedBy,
      confidence: null,
      code: "needs_clarification",
      message: asked,
      ...(routed.pending && { pending: routed.pending }),
      ...usage,
    };
  }

  /** Suggestions and did-you-mean name only commands the asker may run here. */
  private offer(message: string, suggestions: readonly string[], request: ResolveRequest) {
    const kept = offered(suggestions, request.permitted);
    return { message: kept.length < suggestions.length ? withoutDidYouMean(message) : message, suggestions: kept };
  }

  private context(request: ResolveRequest): RouteContext {
    const { commands, conversations, threadTurns } = this.deps;
    const auditId = request.auditId;
    return {
      actorId: request.actor.id,
      actorName: request.actor.name,
      workflows: commands.workflowHints(),
      ...(request.permitted !== undefined && { permitted: request.permitted }),
      ...(auditId !== undefined && {
        auditId,
        loadThread: async () => {
          const entries = await conversations.conversation({
            platform: request.platform,
            channel: request.channel,
            thread: request.thread,
            actorId: request.actor.id,
            excludeId: auditId,
            limit: threadTurns,
            since: new Date(this.deps.clock.now().getTime() - CONVERSATION_HORIZON_MS),
          });
          return entries.map(toTurn);
        },
      }),
    };
  }
}

function toTurn(entry: AuditEntry): ThreadTurn {
  return {
    at: entry.at,
    actorName: entry.actorName ?? entry.actorId,
    text: entry.text,
    command: entry.command,
    outcome: entry.outcome,
    executionId: entry.executionId,
    question: entry.errorCode === "needs_clarification" ? entry.errorMessage : null,
  };
}
