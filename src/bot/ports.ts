import type { IncomingMessage, ServerResponse } from "node:http";
import type { Command } from "../commands/commands.js";
import type { RequestContext } from "../commands/context.js";
import type { WorkflowHint } from "../commands/workflow-hint.js";
import type { AuditClosing, AuditEntry, AuditOpening, ConversationQuery } from "../db/repositories/audit-repository.js";
import type { ExecutionRecord } from "../db/repositories/execution-repository.js";
import type { AccessService } from "../orchestrator/access/access-service.js";
import type { OrchestratorEventBus } from "../orchestrator/events.js";
import type { ImproveResult } from "../orchestrator/improve/improve-results.js";
import type { PatternOffer } from "../orchestrator/improve/patterns.js";
import type { ExecutionDetail, Result } from "../orchestrator/results.js";
import type { DeliveryLookup } from "./slack/slack-publisher.js";
import type { PostedLog } from "./slack/slack-writer.js";

/**
 * What the front-ends need of the rest of baton, and nothing more (the composition root in
 * src/app.ts hands them these): they never see a repository or the orchestrator's parts.
 */

/** One audit row per request: opened when it arrives (deduplicated), closed with its outcome. */
export interface AuditLog {
  open(entry: AuditOpening): Promise<{ id: number } | "duplicate">;
  close(id: number, closing: AuditClosing): Promise<void>;
}

/** Earlier turns of a conversation, for the LLM router. */
export interface ConversationLookup {
  conversation(where: ConversationQuery): Promise<AuditEntry[]>;
}

/** The one way a command runs (DESIGN.md): every front-end goes through `handle`. */
export interface CommandRunner {
  handle(command: Command, context: RequestContext): Promise<Result>;
  /**
   * Checks a command's target before anyone confirms it; returns it with typed short ids made
   * whole. `platform` is the asker's: mentions in the command are read as its ids.
   */
  preflight(command: Command, platform: string): Promise<Command>;
  /** The known workflows, for the router and the secret guard. */
  workflowHints(): WorkflowHint[];
}

/** What a request leaves running after its reply: a run to follow, a pattern offer, an `/improve` proposal. */
export interface FollowUps {
  /** Step events (progress edits) and the execution as it settles. */
  events: Pick<OrchestratorEventBus, "on">;
  waitUntilSettled(id: string): Promise<ExecutionRecord | null>;
  executionDetail(id: string): Promise<ExecutionDetail>;
  /** A pattern offer, once: by execution id for a run, by `audit:<id>` for a digest or step request. */
  patternOfferFor(key: string): Promise<PatternOffer | null> | null;
  /** The proposal an `/improve` is drafting (null when none is). */
  improvementFor(feedbackId: number): Promise<ImproveResult> | null;
}

/** A front-end reports how it is doing, for status; the returned function withdraws the report. */
export interface FrontEndHealth {
  report(frontEnd: string, describe: () => string): () => void;
}

/** Where the Slack front-end records what it posted and clicked, and finds a delivery again. */
export type MessageLog = PostedLog & DeliveryLookup;

/** Who may run what, where: the dispatcher's policy step (README "Permissions"). */
export type AccessPolicy = Pick<AccessService, "identify" | "decide" | "permitted" | "refusal" | "groupsNamed">;

/** A Node request handler, for front-ends whose SDK reads Node's own request and response. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The one HTTP server (src/http), as front-ends see it: they mount their endpoint on a path. */
export interface HttpMount {
  /** Null until the server listens. */
  readonly port: number | null;
  mount(path: string, handler: NodeHandler): () => void;
}
