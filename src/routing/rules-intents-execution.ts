import type { Command, ExecutionStatus } from "../commands/commands.js";
import { exampleFor, toGrammar } from "./rules-grammar.js";
import { countIn, isNegated, trimValue } from "./rules-text.js";
import { GUESS, type IntentRule, LIKELY, type Match, PLAUSIBLE, SURE } from "./rules-types.js";

/** Intents about executions: one by id (show, cancel, approve, reject), or a list of recent ones. */

/** Execution ids are `ex_` and letters or digits, e.g. `ex_ab12cd34ef56ab78`, or a prefix of one (`ex_ab12`). */
/** A run (`ex_…`) or, for approve and reject, an /improve proposal (`imp_3`). */
const EXECUTION_ID = /(?<![\w.-])(ex_[A-Za-z0-9]+|imp_\d+)(?![\w-])/i;

type ExecutionVerb = "execution.cancel" | "execution.reject" | "execution.approve" | "execution.show";

/** When a message has several verbs ("show ex_1, then cancel it"), the first one is what was asked. */
const EXECUTION_VERBS: ReadonlyArray<readonly [ExecutionVerb, RegExp]> = [
  [
    "execution.cancel",
    /\b(?:cancel|abort|stop|kill|halt|terminate|nuke|scrap|scratch|pull the plug on|shut down|shut off|end)\b/,
  ],
  [
    "execution.reject",
    /\b(?:reject|rejected|deny|denied|decline|declined|refuse|veto|block|turn down|shoot down|say no to|no to|nope on|thumbs down)\b/,
  ],
  [
    "execution.approve",
    /\b(?:approve|approved|lgtm|greenlight|green ?light(?:ed)? (?:for|on)?|sign off|signed off|ok to proceed|go ahead(?: with)?|ship(?: it)?|proceed with|allow|accept|thumbs up(?: for| on)?|yes (?:to|for)|looks good|sounds good|good to go)\b/,
  ],
  [
    "execution.show",
    /\b(?:show|details?|happened|status|how is|hows|look at|inspect|describe|info|logs?|check|view|open|explain|why|progress|steps?|outputs?|errors?|whats up|what about|where is|wheres)\b/,
  ],
];

const NOTE_SEPARATOR =
  /^\s*(?:[:,;—–-]+|(?:because|since|as|reason|note|saying|with (?:the |a )?(?:note|reason|comment))\b:?)\s*/i;
/** The verdict itself when it follows the id ("ex_1 -- reject, wrong target") is not part of the note. */
const VERDICT_AFTER_ID = /^[\s:,;—–-]*(?:reject(?:ed)?|den(?:y|ied)|decline[d]?|approve[d]?|lgtm)\b/i;
const NOT_A_NOTE = /^(?:now|asap|it|then|again|too|as well|right now|immediately)$/i;

export const executionById: IntentRule = (u) => {
  const execution = EXECUTION_ID.exec(u.text)?.[1];
  if (execution === undefined) return null;
  const verb = earliestVerb(u.plain);
  // A proposal is only ever approved or rejected.
  if (
    execution.toLowerCase().startsWith("imp_") &&
    verb?.type !== "execution.approve" &&
    verb?.type !== "execution.reject"
  )
    return null;
  const show = { type: "execution.show", execution } as const;
  if (verb === undefined) return { type: show.type, confidence: PLAUSIBLE, command: show };
  if (verb.type === "execution.show") return { type: show.type, confidence: SURE, command: show };
  if (isNegated(u.plain, verb.index)) {
    // "don't approve ex_1, reject it": the verdict that is not negated is the one asked for.
    const other = laterVerdict(u.plain, verb);
    if (other !== undefined) return { type: other, confidence: LIKELY, command: verdict(other, execution, u.typed) };
    return { type: verb.type, confidence: GUESS, suggestions: [toGrammar(show)] };
  }
  return { type: verb.type, confidence: SURE, command: verdict(verb.type, execution, u.typed) };
};

/** "approve it", "cancel the run": the intent is clear, which execution is not. */
export const executionVerbWithoutId: IntentRule = (u, context) => {
  if (EXECUTION_ID.test(u.text)) return null;
  const verb = earliestVerb(u.plain);
  if (verb === undefined || verb.type === "execution.show") return null;
  const suggestions = [exampleFor(verb.type, context), toGrammar({ type: "execution.list", status: "waiting" })];
  return { type: verb.type, confidence: GUESS, suggestions };
};

function laterVerdict(
  plain: string,
  negated: { type: ExecutionVerb; index: number },
): Exclude<ExecutionVerb, "execution.show"> | undefined {
  for (const [type, cue] of EXECUTION_VERBS) {
    if (type === negated.type || type === "execution.show") continue;
    // The negation belongs to the first verdict ("don't approve ex_1, reject it").
    if (cue.test(plain.slice(negated.index + 1))) return type;
  }
  return undefined;
}

function earliestVerb(plain: string): { type: ExecutionVerb; index: number } | undefined {
  const found = EXECUTION_VERBS.flatMap(([type, cue]) => {
    const match = cue.exec(plain);
    return match ? [{ type, index: match.index }] : [];
  });
  return found.sort((a, b) => a.index - b.index)[0];
}

function verdict(type: Exclude<ExecutionVerb, "execution.show">, execution: string, text: string): Command {
  if (type === "execution.cancel") return { type, execution };
  const note = noteAfter(text, execution, type === "execution.reject" ? 1 : 2);
  return note === undefined ? { type, execution } : { type, execution, note };
}

/**
 * "reject ex_1 because the numbers are off" → "the numbers are off". A rejection takes whatever
 * follows the id as its reason; an approval takes a note after a separator ("approve ex_1: looks
 * good") or of at least `words` words ("approve ex_1 looks real"), so "approve ex_1 now" has none.
 */
function noteAfter(text: string, execution: string, words: number): string | undefined {
  const after = text.slice(text.indexOf(execution) + execution.length).replace(VERDICT_AFTER_ID, "");
  const separator = NOTE_SEPARATOR.exec(after)?.[0];
  if (separator === undefined && trimValue(after).split(/\s+/).filter(Boolean).length < words) return undefined;
  const note = trimValue(after.slice(separator?.length ?? 0));
  return note === "" || NOT_A_NOTE.test(note) ? undefined : note;
}

const EXECUTION_NOUN =
  /\b(?:runs|executions|(?<!cron )jobs)\b|\b(?:last|latest|most recent|previous) (?:run|execution|job)\b/;
const FAILURE_QUESTION =
  /\b(?:what|anything|did anything|has anything|something|which|what else)\b (?:\w+ ){0,2}(?:fail|failed|break|broke|broken|crash|crashed|errored|go wrong|went wrong|blew up)\b|\bdid (?:\w+ ){1,2}fail\b|\bfailures\b/;

/** Table order matters: "pending approval" is waiting, plain "pending" is pending. */
const STATUS_WORDS: ReadonlyArray<readonly [ExecutionStatus, RegExp]> = [
  ["failed", /\b(?:fail|failed|failing|failures?|broken|broke|errored|crashed|red|went wrong)\b/],
  ["waiting", /\b(?:waiting|awaiting|blocked|pending approval|need(?:s|ing)? approval)\b/],
  ["running", /\b(?:running|in progress|in-progress|active|ongoing|current|live|still going)\b/],
  ["succeeded", /\b(?:succeeded|successful|success|passed|green|completed|complete|finished)\b/],
  ["cancelled", /\b(?:cancelled|canceled|aborted|stopped)\b/],
  ["interrupted", /\binterrupted\b/],
  ["pending", /\b(?:pending|queued)\b/],
];

/** "approve all pending runs" asks for a verdict on many at once, which no command does: not a listing. */
const VERDICT_FIRST = /^(?:approve|lgtm|reject|deny|decline|cancel|abort|stop|kill|halt|terminate)\b/;

export const executionList: IntentRule = (u): Match | null => {
  if (EXECUTION_ID.test(u.text) || VERDICT_FIRST.test(u.plain)) return null;
  // "raise project:x to 3 concurrent runs" is about a budget's limit, not a list of runs.
  if (/\bconcurrent runs\b|(?<![\w.-])(?:project|user|channel):\S/.test(u.plain)) return null;
  if (!EXECUTION_NOUN.test(u.plain) && !FAILURE_QUESTION.test(u.plain)) return null;
  const status = STATUS_WORDS.find(([, cue]) => cue.test(u.plain))?.[0];
  const limit = countIn(u.plain);
  const command: Command = {
    type: "execution.list",
    ...(status === undefined ? {} : { status }),
    ...(limit === undefined ? {} : { limit }),
  };
  return { type: command.type, confidence: LIKELY, command };
};
