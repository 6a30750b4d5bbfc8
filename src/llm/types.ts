import type { Command } from "../orchestrator/commands.js";

/** How a request became a Command; recorded in the audit log. */
export type ResolvedBy = "grammar" | "rules" | `llm:${string}`;

export interface WorkflowInputHint {
  name: string;
  required: boolean;
  description?: string;
}

export interface WorkflowHint {
  name: string;
  description?: string;
  inputs: WorkflowInputHint[];
}

/** What a router may know about the request besides its text. */
export interface RouteContext {
  actorId: string;
  actorName: string;
  /** Workflows that exist now, so "run the hello workflow for Ada" can fill `name`. */
  workflows: WorkflowHint[];
}

export type RouteResult =
  | { kind: "command"; command: Command; confidence: number; resolvedBy: ResolvedBy }
  /** Not sure enough to act: answer with what the person may have meant instead of running a guess. */
  | { kind: "suggest"; message: string; suggestions: string[]; confidence: number; resolvedBy: ResolvedBy }
  /** The router needs one more fact; the dispatcher asks it in the thread. */
  | { kind: "clarify"; question: string; resolvedBy: ResolvedBy };

/** Natural language → Command. The rules router is the offline default and the last fallback. */
export interface CommandRouter {
  route(text: string, context: RouteContext): Promise<RouteResult>;
}
