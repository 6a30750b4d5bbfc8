import type { Command } from "../commands/commands.js";
import type { Actor } from "../commands/context.js";
import type { Reply } from "./reply.js";

/** One message a person sent to baton, as an adapter hands it to the dispatcher. */
export interface ChatRequest {
  platform: string;
  workspace: string | null;
  channel: string | null;
  thread: string | null;
  actor: Actor;
  /** As typed, including `/orchestrate` or `/improve` for slash commands. */
  text: string;
  /**
   * A command sent as JSON (REST, MCP, webhooks), already validated by its schema: it skips the
   * grammar and the router, and `text` is its grammar form for the audit log.
   */
  command?: Command;
  /** Unique per platform event (Slack event_id, Discord interaction id…), so redeliveries run once. */
  dedupeKey: string;
  receivedAt: Date;
}

export interface PostedMessage {
  /** The platform's id for the message (Slack ts, Discord message id, console line number). */
  id: string;
}

export interface ConfirmationPrompt {
  /** One sentence saying what will happen, e.g. "Cancel execution ex_12ab34cd?" */
  question: string;
  commandType: string;
}

/**
 * The adapter's side of one request's conversation (CONVENTIONS.md: the core never touches a
 * platform SDK). Slack implements it with chat.postMessage/chat.update and buttons, Discord with
 * editReply and components, the console with stdout and a y/N prompt.
 */
export interface Conversation {
  post(reply: Reply): Promise<PostedMessage>;
  update(message: PostedMessage, reply: Reply): Promise<void>;
  /** Resolves true when the person confirms, false when they decline. */
  confirm(prompt: ConfirmationPrompt): Promise<boolean>;
}

/**
 * Posting to a channel outside any request: scheduled digests, approval requests of runs nobody
 * is watching. One per platform; the scheduler and orchestrator reach platforms only through it.
 */
export interface ChannelPublisher {
  readonly platform: string;
  /**
   * Posts `reply` to `channel` once. `idempotencyKey` is the same on every retry of one delivery,
   * so an adapter that can tell a retry from a new post never posts twice. Throws a BatonError
   * (with `retryable`) when the platform refused or could not be reached.
   */
  publish(channel: string, reply: Reply, options: { idempotencyKey: string }): Promise<PostedMessage>;
}
