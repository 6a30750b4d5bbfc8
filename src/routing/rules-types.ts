import type { Command, CommandType } from "../commands/commands.js";
import type { NeedsInput } from "./rules-missing-input.js";
import type { Utterance } from "./rules-text.js";
import type { RouteContext } from "./types.js";

/**
 * How sure a rule is. The router acts at or above its threshold (0.6 by default), so UNSURE and
 * GUESS mean "recognised, but missing something": they only ever become suggestions.
 */
export const SURE = 0.9;
export const LIKELY = 0.8;
export const PLAUSIBLE = 0.7;
export const UNSURE = 0.5;
export const DOUBTFUL = 0.4;
export const GUESS = 0.3;

/** What one intent rule made of a message. */
export interface Match {
  /** The intent recognised; picks example commands when there is no command to show. */
  type: CommandType;
  confidence: number;
  /** Absent when the intent is clear but a fact is missing (an id, a known workflow, an input). */
  command?: Command;
  /** Full commands closest to what was typed, best first; by default the command itself or an example. */
  suggestions?: string[];
  /** A run recognised but missing required inputs: baton asks for them instead of guessing. */
  needs?: NeedsInput;
}

/** One intent: recognises its phrasing and extracts the arguments, or returns null. */
export type IntentRule = (utterance: Utterance, context: RouteContext) => Match | null;
