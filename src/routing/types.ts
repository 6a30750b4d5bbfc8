import type { Command, CommandType } from "../commands/commands.js";
import type { WorkflowHint } from "../commands/workflow-hint.js";
import type { UsageTotals } from "../llm/usage.js";

/** How a request became a Command; recorded in the audit log. */
/** `typed`: a command sent as JSON (REST, MCP, webhooks), validated against its schema, neither parsed nor routed. */
export type ResolvedBy = "grammar" | "rules" | "typed" | `llm:${string}`;

/** One earlier exchange in the same thread (or, outside threads, the same channel and person). */
export interface ThreadTurn {
  at: Date;
  actorName: string;
  text: string;
  /** What baton made of it: the command (with ids such as the execution it started), or its question. */
  command: unknown;
  outcome: string;
  executionId: string | null;
  /** A clarifying question baton asked in answer; the next message is the reply to it. */
  question: string | null;
}

/** What a router may know about the request besides its text. */
export interface RouteContext {
  actorId: string;
  actorName: string;
  /** Workflows that exist now, so "run the hello workflow for Ada" can fill `name`. */
  workflows: WorkflowHint[];
  /**
   * The command types the asker may run here (README "Permissions"): an LLM router's tool list
   * holds only these, so a model is never offered what the policy would refuse. Unset: all.
   */
  permitted?: ReadonlySet<CommandType>;
  /** The request's audit row, so LLM calls are charged to it in the ledger. */
  auditId?: number;
  /** The conversation so far, loaded only by routers that use it ("run it again"). */
  loadThread?: () => Promise<ThreadTurn[]>;
}

/** How an LLM-backed routing went: which provider answered and what the calls cost. */
export interface RouteUsage {
  provider: string | null;
  latencyMs: number;
  totals: UsageTotals;
}

export type RouteResult = (
  | {
      kind: "command";
      command: Command;
      confidence: number;
      resolvedBy: ResolvedBy;
      /** Ask the person before running it even if the policy would not (a model answered steering text). */
      confirm?: boolean;
    }
  /** Not sure enough to act: answer with what the person may have meant instead of running a guess. */
  | { kind: "suggest"; message: string; suggestions: string[]; confidence: number; resolvedBy: ResolvedBy }
  /** The router needs one more fact; the dispatcher asks it in the thread. */
  | {
      kind: "clarify";
      question: string;
      resolvedBy: ResolvedBy;
      /** The command the answer completes (a run missing its inputs), kept with the question. */
      pending?: Command;
    }
) & { usage?: RouteUsage };

/** Natural language → Command. The rules router is the offline default and the last fallback. */
export interface CommandRouter {
  route(text: string, context: RouteContext): Promise<RouteResult>;
}
