import { BatonError } from "../errors.js";
import type { ConfirmationPrompt, Conversation, PostedMessage } from "./chat.js";
import { shownResult } from "./render.js";
import type { Reply } from "./reply.js";
import type { DispatchOutcome } from "./request-state.js";

/**
 * A one-request conversation with no person watching it (`baton say`, the REST API, MCP,
 * webhooks): keeps the latest reply, and confirms only when the request said so beforehand —
 * otherwise the destructive command is refused with its question and `how` to confirm it.
 */
export class OneShotConversation implements Conversation {
  latest: Reply | null = null;
  /** The question a destructive command waited on, when it was refused for want of confirmation. */
  question: string | null = null;

  constructor(
    private readonly confirmed: boolean,
    private readonly how: string,
  ) {}

  async post(reply: Reply): Promise<PostedMessage> {
    this.latest = reply;
    return { id: "1" };
  }

  async update(_message: PostedMessage, reply: Reply): Promise<void> {
    this.latest = reply;
  }

  async confirm(prompt: ConfirmationPrompt): Promise<boolean> {
    if (this.confirmed) return true;
    this.question = prompt.question;
    throw new BatonError("confirmation_required", `${prompt.question} This needs confirmation: ${this.how}.`);
  }
}

export function replyJson(reply: Reply) {
  return { text: reply.text, tone: reply.tone, ephemeral: reply.ephemeral, blocks: reply.blocks };
}

/** What `baton say --json` prints and `POST /api/v1/commands` answers: the same object. */
export function outcomeJson(outcome: DispatchOutcome, settled: Awaited<DispatchOutcome["settled"]>) {
  const { command, resolvedBy, outcome: result, question, auditId } = outcome;
  const json = {
    command,
    resolvedBy,
    outcome: result,
    auditId,
    reply: replyJson(settled.reply),
    // Redacted like a reply (a run's live input can hold a secret); a new token stays, shown this once.
    result: shownResult(settled.result),
  };
  return question === undefined ? json : { ...json, question };
}
