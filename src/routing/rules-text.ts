import { replaceMarkup } from "../text.js";
import { withTyposFixed } from "./rules-typos.js";

/**
 * Text handling for the rules router: chat markup, emoji and polite filler come off a message so
 * the intent rules see the request itself; counts, URLs and names come out of what is left.
 */

/** A chat message reduced to what the intent rules look at. */
export interface Utterance {
  /** Filler removed, the person's own casing kept: names, notes and questions are taken from here. */
  readonly text: string;
  /** `text` lowercased, apostrophes dropped, punctuation between words turned into spaces: cues match here. */
  readonly plain: string;
  /** `text` before slips were fixed: free text (a question, feedback, a note) is quoted from here. */
  readonly typed: string;
}

/**
 * How much of a message is quoted back in a reply. The router itself reads all of what it is given:
 * the dispatcher refuses over-long messages (BATON_MAX_INPUT_CHARS) before routing, never cuts them.
 */
const MAX_QUOTED_LENGTH = 2000;

/** Pictographs, skin tones and flags, plus the joiners and selectors that glue emoji sequences together. */
const EMOJI = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}]|\u{FE0F}|\u{200D}|\u{20E3}/gu;
const EMOJI_SHORTCODE = /(^|\s):[a-z0-9_+-]+:(?=\s|$)/gi;
const CURLY_QUOTES: ReadonlyArray<readonly [RegExp, string]> = [
  [/[“”„«»]/g, '"'],
  [/[‘’‛]/g, "'"],
];

/**
 * Slack sends links as `<https://…|label>` and broadcasts as `<!here>`. User and channel mentions
 * stay as typed, like the grammar keeps them, so a reference means the same thing on both paths.
 * @see https://api.slack.com/reference/surfaces/formatting#retrieving-messages
 */
const CHAT_MARKUP: ReadonlyArray<readonly [RegExp, string]> = [
  [/<((?:https?|mailto):[^|<>\s]+)(?:\|[^<>]*)?>/gi, "$1"],
  [/<![^<>]*>/g, " "],
];

/** Greetings and the bot's own mention in front of a request (Slack `<@U…>`, Discord `<@!…>`, or typed). */
const LEADING_NOISE = new RegExp(
  [
    String.raw`<@!?[A-Za-z0-9]+(?:\|[^>]*)?>`,
    String.raw`@?baton\b`,
    String.raw`(?:hey|hi|hiya|heya|yo|ok|okay|so|um+|uh+|oh|good (?:morning|afternoon|evening))(?: there)?\b`,
    // "hello" is also a workflow name, so it is a greeting only when nothing but punctuation or baton follows.
    String.raw`hello(?: there)?(?=\s*(?:[,!.]|$)|\s+@?baton\b)`,
    String.raw`[\s,:;.!-]+`,
  ]
    .map((alternative) => `^(?:${alternative})`)
    .join("|"),
  "i",
);

const FILLER =
  /\b(?:please|pls|plz|kindly|thanks|thank you|thx|cheers|for me|real quick|quickly|just|if you can|if possible)\b/gi;
const LEADING_FILLER =
  /^(?:(?:could|can|would|will) (?:you|u)(?: (?:please|kindly|mind))*|i(?:'d| would) (?:like|love) (?:you )?to|i (?:want|need) (?:you )?to|let'?s|go ahead and|do me a favou?r and)\b/i;

/** `names`: the catalog's workflow names, which slips are fixed towards too. */
export function toUtterance(raw: string, names: readonly string[] = []): Utterance {
  const typed = withoutFiller(readable(raw));
  const text = withTyposFixed(typed, names);
  return { text, plain: toPlain(text), typed };
}

function readable(raw: string): string {
  let text = raw.replace(EMOJI, " ").replace(EMOJI_SHORTCODE, "$1 ");
  for (const [pattern, replacement] of [...CURLY_QUOTES, ...CHAT_MARKUP]) text = text.replace(pattern, replacement);
  return text;
}

function withoutFiller(text: string): string {
  const stripped = tidy(withoutLeadingNoise(text).replace(FILLER, " "));
  return tidy(withoutLeadingNoise(stripped.replace(LEADING_FILLER, " ")));
}

function withoutLeadingNoise(text: string): string {
  let rest = text.trimStart();
  for (let match = LEADING_NOISE.exec(rest); match?.[0]; match = LEADING_NOISE.exec(rest)) {
    rest = rest.slice(match[0].length).trimStart();
  }
  return rest;
}

function tidy(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(/\s+([,;:!?])/g, "$1")
    .replace(/^[\s,;:.!-]+|(?<![\s,;:])[\s,;:]+$/g, "");
}

function toPlain(text: string): string {
  return text
    .toLowerCase()
    .replace(/'/g, "")
    .replace(/[^\p{L}\p{N}_@#=./:+-]+/gu, " ")
    .replace(/(?<![.:+/-])[.:+/-]+(?=\s|$)/g, "")
    .replace(/(^|\s)[.:+/-]+/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
}

const LINK_OPEN = /<((?:https?|mailto):[^|>\s]+)/gi;
const LABELLED_OPEN = /<([@#])!?[A-Za-z0-9]+\|/g;
const SPECIAL_OPEN = /<!([a-z]+)/g;

/** The message as the person typed it, short and safe to quote back (no pings through our reply). */
export function quotable(raw: string, max = 60): string {
  const text = raw.slice(0, MAX_QUOTED_LENGTH).replace(/^\s*<@!?[A-Za-z0-9]+(?:\|[^>]*)?>/, "");
  // Each `<…>` runs to the first `>` after it, as Slack reads it, scanned forward (linear time).
  const unmarked = [
    (t: string) =>
      replaceMarkup(t, LINK_OPEN, (open, inner) => (inner === "" || inner.startsWith("|") ? open[1] : undefined)),
    (t: string) => replaceMarkup(t, LABELLED_OPEN, (open, label) => (label === "" ? undefined : `${open[1]}${label}`)),
    (t: string) => t.replace(/<([@#])!?([A-Za-z0-9]+)>/g, "$1$2"),
    (t: string) => replaceMarkup(t, SPECIAL_OPEN, (open) => `@${open[1]}`),
  ].reduce((current, step) => step(current), text);
  const safe = unmarked
    .replace(/@(everyone|here|channel)\b/gi, "@\u200b$1")
    .replace(/\s+/g, " ")
    .trim();
  const chars = Array.from(safe);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : safe;
}

const NUMBER_WORDS = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
  "twenty",
];
const NUMBER = String.raw`(\d{1,9}|${NUMBER_WORDS.join("|")})`;
const NOT_A_COUNT = String.raw`(?!\s*(?:hours?|hrs?|days?|minutes?|mins?|weeks?|months?|years?|am|pm|h|d|m|w)\b)`;
const COUNTED = `(?:commands?|requests?|actions|entries|runs?|executions?|jobs?|things|events?|items)`;
const COUNT_PATTERNS = [
  new RegExp(String.raw`\b(?:last|latest|recent|past|previous|top|first|limit|n)\s*=?\s*${NUMBER}\b${NOT_A_COUNT}`),
  new RegExp(String.raw`\b${NUMBER}\b${NOT_A_COUNT}\s+(?:[a-z]+\s+){0,2}${COUNTED}\b`),
];
const SINGLE = /\b(?:the )?(?:last|latest|most recent|previous) (?:command|request|action|run|execution|job)\b/;

/** "the last 5 commands", "ten runs", "limit=20", "the last run" → a count from 1 to `max`. */
export function countIn(plain: string, max = 100): number | undefined {
  for (const pattern of COUNT_PATTERNS) {
    const word = pattern.exec(plain)?.[1];
    if (word === undefined) continue;
    const count = /^\d+$/.test(word) ? Number(word) : NUMBER_WORDS.indexOf(word);
    return count >= 1 ? Math.min(count, max) : undefined;
  }
  return SINGLE.test(plain) ? 1 : undefined;
}

const URL = /\bhttps?:\/\/[^\s<>"'|,]+/gi;

/**
 * More URLs than a healthcheck takes (the http tool's limit is 50) are never needed to answer: one
 * past the limit is enough for the tool to refuse the list in its own words, and stopping there
 * keeps a message made of thousands of URLs from costing thousands of matches.
 */
const MAX_URLS_READ = 51;

export function urlsIn(text: string): string[] {
  const urls: string[] = [];
  URL.lastIndex = 0;
  for (let match = URL.exec(text); match && urls.length < MAX_URLS_READ; match = URL.exec(text)) {
    urls.push(withoutTrailing(match[0], URL_TRAILING));
  }
  return urls;
}

const URL_TRAILING = ".;:!?)]";
const VALUE_TRAILING = ".,;:!?";

/** `text` without the run of `chars` (and, for values, whitespace) at its end, scanned from the end. */
function withoutTrailing(text: string, chars: string, spaces = false): string {
  let end = text.length;
  while (end > 0) {
    const char = text.charAt(end - 1);
    if (!chars.includes(char) && !(spaces && /\s/.test(char))) break;
    end -= 1;
  }
  return text.slice(0, end);
}

/**
 * The match of each pattern in turn, each starting after the end of the one before: what
 * `a.*b.*c` asks, without `.*` backtracking from every place `a` matches (that is quadratic in a
 * message that repeats `a`). Each pattern must have the `g` flag, so matching can start mid-text.
 */
export function inOrder(text: string, patterns: readonly RegExp[]): RegExpExecArray[] | null {
  const found: RegExpExecArray[] = [];
  let from = 0;
  for (const pattern of patterns) {
    pattern.lastIndex = from;
    const match = pattern.exec(text);
    if (!match) return null;
    found.push(match);
    from = match.index + match[0].length;
  }
  return found;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Trailing punctuation and surrounding quotes off a value taken from free text. */
export function trimValue(value: string): string {
  const trimmed = withoutTrailing(value.trim(), VALUE_TRAILING, true);
  const quote = trimmed.charAt(0);
  // What `^(["'])(.*)\1$` meant: `.` stops at a line break, so a value spread over lines stays quoted.
  const quoted =
    trimmed.length >= 2 &&
    (quote === '"' || quote === "'") &&
    trimmed.endsWith(quote) &&
    !/[\n\r\u2028\u2029]/.test(trimmed);
  return (quoted ? trimmed.slice(1, -1) : trimmed).trim();
}

/** Words that sit where a name would but are never one: "run it", "retire everyone", "history for today". */
export const NOT_A_NAME: ReadonlySet<string> = new Set(
  (
    "a an the this that these those it its my our your their his her me us we you they them i " +
    "all every everything everyone anyone someone somebody anything something nothing none any some each " +
    "whichever whatever whoever " +
    "new another one same whole entire which what who whom when where why how " +
    "today yesterday tomorrow now again last recent latest previous next first baton bot team people"
  ).split(" "),
);

const NEGATION = /\b(?:dont|do not|never|not|no need to|cant|cannot|shouldnt|wont|stop me from)\b/;

/** Whether a negation comes before the verb at `verbIndex`: "don't cancel ex_1". */
export function isNegated(plain: string, verbIndex: number): boolean {
  return NEGATION.test(plain.slice(0, verbIndex));
}
