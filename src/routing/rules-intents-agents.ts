import type { Command } from "../commands/commands.js";
import { exampleFor } from "./rules-grammar.js";
import { isNegated, NOT_A_NAME, trimValue } from "./rules-text.js";
import { GUESS, type IntentRule, LIKELY, type Match, PLAUSIBLE, UNSURE } from "./rules-types.js";

/** Specialist agents: listing, spawning, retiring, asking them; and `/improve`-style feedback. */

const AGENT_VERB = /\b(?:spawn|spin up|bring up|retire|dismiss|decommission|hire)\b/;
const AGENT_LIST =
  /^(?:agents|specialists)$|\b(?:list|show|which|what|any|active|running|current|all|see|our)\b (?:\w+ ){0,2}(?:agents|specialists)\b|\b(?:agents|specialists) (?:are )?(?:running|active|alive|up|around|working|there)\b/;

export const agentList: IntentRule = (u) =>
  AGENT_LIST.test(u.plain) && !AGENT_VERB.test(u.plain)
    ? { type: "agent.list", confidence: LIKELY, command: { type: "agent.list" } }
    : null;

const ARTICLES = String.raw`(?:(?:a|an|new|another|one|me)\s+)*`;
const SPAWN = new RegExp(
  String.raw`\b(?:spawn|spin up|bring up|bring in|start|create|launch|add|hire|get|need|want)\s+${ARTICLES}([a-z][\w-]*)\s+(?:agent|specialist|expert)\b|\b(?:spawn|spin up|hire)\s+${ARTICLES}([a-z][\w-]*)`,
  "i",
);
const SPAWN_CONTEXT = /^\s*(?:to|for|about|focused on|that|who|on|with context)\b:?\s*(.+)$/is;
/** "do we need a security agent?" weighs the idea; it does not ask for one. */
const WONDERING = /^(?:do|does|did|should|would|shall|is|are|was|why|what|whats|how|when|whether)\b/;

export const agentSpawn: IntentRule = (u) => {
  const match = SPAWN.exec(u.text);
  const specialty = (match?.[1] ?? match?.[2])?.toLowerCase();
  if (!match || specialty === undefined || NOT_A_NAME.has(specialty)) return null;
  const context = SPAWN_CONTEXT.exec(u.text.slice(match.index + match[0].length))?.[1];
  const value = context === undefined ? "" : trimValue(context);
  const command: Command =
    value === "" ? { type: "agent.spawn", specialty } : { type: "agent.spawn", specialty, context: value };
  return { type: "agent.spawn", confidence: spawnConfidence(u.text.slice(0, match.index), u.plain), command };
};

/** "don't spawn a researcher", "I don't want a security agent": recognised, never acted on. */
function spawnConfidence(beforeVerb: string, plain: string): number {
  const before = beforeVerb.toLowerCase().replace(/'/g, "");
  if (isNegated(before, before.length)) return GUESS;
  return WONDERING.test(plain) ? UNSURE : LIKELY;
}

const RETIRE = /\b(?:retire|dismiss|decommission)\s+(?:the\s+)?(?:agent\s+)?([A-Za-z0-9][\w.-]*)/i;
/** Stronger verbs ("shut down", "kill") retire only what is surely an agent: "agent X", or an id like `planner_c0ffee12`. */
const RETIRE_HARD =
  /\b(?:shut down|shut off|kill|stop|fire|let go of|get rid of)\s+(?:the\s+)?(?:(?:agent|specialist)\s+([A-Za-z0-9][\w.-]*)|([A-Za-z]+_[A-Za-z0-9]+))(?![\w-])/i;
const AGENT_ID = /(?<![\w.-])(ag_[A-Za-z0-9]+)(?![\w-])/gi;
const RETIRE_WORD = /\b(?:retire|retired|dismiss|dismissed|decommission|decommissioned)\b/gi;
const SENTENCE_END = /[.?!]/g;

/**
 * The id first, the verb later in the same sentence: "ag_3 can be retired now". Scanned forward
 * once (the next verb and sentence end are remembered between ids), so a message full of ids and
 * no verb costs one pass, where `ag_\w+[^.?!]*?retire` would rescan the rest after every id.
 */
function retiredId(text: string): string | undefined {
  let verbAt = -1;
  let endAt = -1;
  AGENT_ID.lastIndex = 0;
  for (let id = AGENT_ID.exec(text); id; id = AGENT_ID.exec(text)) {
    const after = id.index + id[0].length;
    if (verbAt < after) verbAt = nextIndex(RETIRE_WORD, text, after);
    if (verbAt < 0) return undefined;
    if (endAt < after) endAt = nextIndex(SENTENCE_END, text, after);
    if (endAt < 0 || verbAt < endAt) return id[1];
  }
  return undefined;
}

function nextIndex(pattern: RegExp, text: string, from: number): number {
  pattern.lastIndex = from;
  return pattern.exec(text)?.index ?? -1;
}

/** An id-looking name ("ag_12") is surely an agent; a plain word ("the researcher") probably names one. */
export const agentRetire: IntentRule = (u, context): Match | null => {
  const hard = RETIRE_HARD.exec(u.text);
  const agent = RETIRE.exec(u.text)?.[1] ?? retiredId(u.text) ?? hard?.[1] ?? hard?.[2];
  if (agent === undefined) return null;
  const negated = isNegated(
    u.plain,
    u.plain.search(/\b(?:retire|dismiss|decommission|shut|kill|stop|fire|let go|get rid)/),
  );
  if (negated || NOT_A_NAME.has(agent.toLowerCase())) {
    return { type: "agent.retire", confidence: GUESS, suggestions: [exampleFor("agent.list", context)] };
  }
  const command = { type: "agent.retire", agent } as const;
  return { type: command.type, confidence: /[\d_]/.test(agent) ? LIKELY : PLAUSIBLE, command };
};

const ROLE = String.raw`([A-Za-z][\w-]*)`;
const ROLE_NOUN = String.raw`(?:\s+(?:agent|specialist|expert))`;
/** "ask the researcher: …", "ask the security agent whether …", "ask a data expert …"; then plain "ask …". */
const ASK_WITH_SPECIALTY: readonly RegExp[] = [
  new RegExp(String.raw`^ask\s+(?:the |a |an |our )?${ROLE}${ROLE_NOUN}?\s*[:,—–-]\s*(.+)$`, "is"),
  new RegExp(
    String.raw`^ask\s+(?:the |a |an |our )${ROLE}${ROLE_NOUN}?\s+((?:whether|if|about|what|why|how|when|where|who|which|to)\b.+)$`,
    "is",
  ),
  new RegExp(String.raw`^ask\s+(?:the |a |an |our )?${ROLE}${ROLE_NOUN}\s+(.+)$`, "is"),
];
const ASK = /^ask\b\s*[:,—–-]?\s*(.+)$/is;
/** "question for the planner: …" names the specialist like "ask the planner: …". */
const QUESTION_FOR = /^(?:a )?question for (?:the |a |an |our )?([A-Za-z][\w-]*)\s*[:,—–-]\s*(.+)$/is;
/** A question for a specialist's judgement, not about baton itself: asked as a whole. */
const OPINION =
  /\b(?:what do you think|whats the difference between|what is the difference between|pros and cons|how should we (?:think|approach|handle|split|structure|design|deal)|can (?:an agent|someone|somebody) (?:look into|research|investigate|figure out)|research (?:the|how|why|whether)|look into (?:why|how|whether))\b/;

export const ask: IntentRule = (u) => {
  for (const pattern of ASK_WITH_SPECIALTY) {
    // The question is quoted as typed; slips are fixed only where the cue itself was misspelled.
    const [, role, question] = pattern.exec(u.typed) ?? pattern.exec(u.text) ?? [];
    const specialty = role?.toLowerCase();
    if (specialty !== undefined && question !== undefined && !NOT_A_NAME.has(specialty)) {
      return askMatch(question, specialty);
    }
  }
  const question = ASK.exec(u.typed)?.[1] ?? ASK.exec(u.text)?.[1];
  if (question !== undefined) return askMatch(question);
  const [, role, asked] = QUESTION_FOR.exec(u.typed) ?? [];
  if (role !== undefined && asked !== undefined && !NOT_A_NAME.has(role.toLowerCase()))
    return askMatch(asked, role.toLowerCase());
  return OPINION.test(u.plain) ? { ...askMatch(u.typed), confidence: PLAUSIBLE } : null;
};

function askMatch(question: string, specialty?: string): Match {
  const text = question.trim();
  const command: Command =
    specialty === undefined ? { type: "ask", question: text } : { type: "ask", question: text, specialty };
  return { type: "ask", confidence: LIKELY, command };
}

const FEEDBACK =
  /^(?:feedback|improve|improvement|suggestion)\b\s*(?:(?:on|for)\s+(ex_[A-Za-z0-9]+)\s*)?[:,—–-]\s*(.+)$/is;

/** Feedback in words: how the last output should change, about something a run produced. */
const SHOULD_CHANGE =
  /\b(?:next time|should have|shouldve|should(?:nt| not)? (?:be|have|use|cite|include|skip|say|list|mention|ignore|keep)|(?:was|is|were) (?:too|way too|a bit too) \w+|make (?:it|them) \w+er)\b/;
const OUTPUT_WORD =
  /\b(?:last run|the run|that run|your last|output|result|results|summary|answer|report|draft|notes|reply|message)\b/;

export const improve: IntentRule = (u) => {
  const [, execution, feedback] = FEEDBACK.exec(u.typed) ?? FEEDBACK.exec(u.text) ?? [];
  if (feedback === undefined) {
    if (!SHOULD_CHANGE.test(u.plain) || !OUTPUT_WORD.test(u.plain)) return null;
    return { type: "improve", confidence: LIKELY, command: { type: "improve", feedback: u.typed } };
  }
  const text = feedback.trim();
  const command: Command =
    execution === undefined ? { type: "improve", feedback: text } : { type: "improve", feedback: text, execution };
  return { type: "improve", confidence: LIKELY, command };
};
