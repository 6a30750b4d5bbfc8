import { Command } from "../commands/commands.js";
import { BatonError } from "../errors.js";
import { accessGrammar, accessInWords, accessQuestion, tokenInWords } from "./rules-intents-access.js";
import {
  digest,
  orchestratorMode,
  orchestratorStep,
  scheduleCreate,
  scheduleDelete,
  scheduleList,
} from "./rules-intents-admin.js";
import { agentList, agentRetire, agentSpawn, ask, improve } from "./rules-intents-agents.js";
import { budget } from "./rules-intents-budget.js";
import { executionById, executionList, executionVerbWithoutId } from "./rules-intents-execution.js";
import { bareGrammar } from "./rules-intents-grammar.js";
import { help, history, proposalList, status } from "./rules-intents-overview.js";
import { workflowList, workflowRollback, workflowRun, workflowShow } from "./rules-intents-workflow.js";
import { answerPending, askForInput } from "./rules-missing-input.js";
import { notSure, suggestionsFor } from "./rules-suggest.js";
import { toUtterance, type Utterance } from "./rules-text.js";
import { GUESS, type IntentRule, type Match, PLAUSIBLE } from "./rules-types.js";
import type { CommandRouter, RouteContext, RouteResult } from "./types.js";

/**
 * The offline router (DESIGN.md "One request, end to end", step 2): natural language to one
 * Command by an ordered list of intent rules, no network. Every rule scores the message; the best
 * match acts only at or above the threshold, otherwise the person gets suggestions, never a guess.
 */

const DEFAULT_THRESHOLD = 0.6;

/** Order breaks ties: a message that starts with "ask" is a question for an agent whatever it asks. */
const RULES: readonly IntentRule[] = [
  bareGrammar,
  ask,
  improve,
  help,
  executionById,
  executionList,
  workflowRun,
  workflowRollback,
  workflowList,
  workflowShow,
  status,
  history,
  orchestratorMode,
  orchestratorStep,
  scheduleList,
  scheduleCreate,
  scheduleDelete,
  agentList,
  agentSpawn,
  agentRetire,
  digest,
  budget,
  accessGrammar,
  tokenInWords,
  proposalList,
  accessInWords,
  accessQuestion,
  executionVerbWithoutId,
];

/** Text that tries to steer the bot rather than ask it something never acts, whatever else it says. */
const STEERING =
  /\b(?:ignore|disregard|forget|override|bypass)\b (?:\w+ ){0,4}(?:instructions|rules|prompt|guidelines|guardrails|policy|policies)\b|\bsystem prompt\b|\bjailbreak\b|\byou are now\b|\bdeveloper mode\b/;

/** Whether text tries to steer the bot ("ignore your instructions…"); LLM answers to it get confirmed. */
export function looksLikeSteering(text: string): boolean {
  return STEERING.test(toUtterance(String(text)).plain);
}

export class RulesRouter implements CommandRouter {
  readonly #threshold: number;

  constructor(options: { threshold?: number } = {}) {
    const threshold = options.threshold ?? DEFAULT_THRESHOLD;
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new BatonError("config_invalid", `The rules router threshold must be between 0 and 1, not ${threshold}.`);
    }
    this.#threshold = threshold;
  }

  async route(text: string, context: RouteContext): Promise<RouteResult> {
    const utterance = toUtterance(
      String(text),
      context.workflows.map((workflow) => workflow.name),
    );
    const trusted = !STEERING.test(utterance.plain);
    const matches = rank(utterance, context, trusted);
    const [best] = matches;
    const command = best && best.confidence >= this.#threshold ? validated(best) : undefined;
    if (best && command) return { kind: "command", command, confidence: best.confidence, resolvedBy: "rules" };
    // A run recognised without its inputs: ask for them, in the thread.
    if (best?.needs && best.confidence >= this.#threshold) return askForInput(best.needs);
    // Otherwise this may answer the question baton just asked ("What should `name` be?" "Ada").
    const answered = answerPending(String(text), await threadOf(context), context.workflows);
    if (answered) return answered;
    return {
      kind: "suggest",
      message: notSure(String(text)),
      suggestions: suggestionsFor({ plain: utterance.plain, matches, trusted }, context),
      confidence: best?.confidence ?? 0,
      resolvedBy: "rules",
    };
  }
}

/** The conversation so far; one that cannot be read is no conversation, never a failed request. */
async function threadOf(context: RouteContext) {
  try {
    return (await context.loadThread?.()) ?? [];
  } catch {
    return [];
  }
}

/** Every rule's match, best first; on equal confidence the earlier rule wins. */
function rank(utterance: Utterance, context: RouteContext, trusted: boolean): Match[] {
  // A request read through a fixed slip acts offline, but an LLM (when there is one) gets to look.
  const cap = !trusted ? GUESS : utterance.typed !== utterance.text ? PLAUSIBLE : 1;
  return RULES.flatMap((rule) => {
    const match = rule(utterance, context);
    return match ? [{ ...match, confidence: Math.min(match.confidence, cap) }] : [];
  }).sort((a, b) => b.confidence - a.confidence);
}

/** Rules build commands from free text; the schema has the last word before anything acts on one. */
function validated(match: Match): Command | undefined {
  const parsed = match.command === undefined ? undefined : Command.safeParse(match.command);
  return parsed?.success ? parsed.data : undefined;
}
