import { z } from "zod";
import { Command, type CommandType } from "../commands/commands.js";
import { closest } from "../did-you-mean.js";
import { type Args, fail, GRAMMAR_VERBS, type GrammarError, NOT_GRAMMAR, type Parse, VERBS } from "./grammar-verbs.js";
import { type Pair, type Positional, type Token, tokenize } from "./tokenize.js";

export { GRAMMAR_VERBS } from "./grammar-verbs.js";

/**
 * The `/orchestrate` and `/improve` grammar (DESIGN.md "The command vocabulary"). Text that reads
 * like a sentence rather than a command is `not-grammar`: the caller hands it to the NL router.
 */
export type GrammarResult = { kind: "command"; command: Command } | GrammarError | { kind: "not-grammar" };

export function parseCommandText(text: string): GrammarResult {
  try {
    return parseTrimmed(String(text).trim());
  } catch {
    return fail("Sorry, I could not read that command.");
  }
}

function parseTrimmed(text: string): GrammarResult {
  const feedback = afterPrefix(text, "/improve");
  if (feedback !== undefined) return validate(parseImprove(feedback));
  const rest = afterPrefix(text, "/orchestrate");
  return rest === undefined ? NOT_GRAMMAR : validate(parseOrchestrate(rest));
}

function afterPrefix(text: string, prefix: string): string | undefined {
  const next = text.charAt(prefix.length);
  const matches = text.slice(0, prefix.length).toLowerCase() === prefix && (next === "" || /\s/.test(next));
  return matches ? text.slice(prefix.length).trim() : undefined;
}

/** `/improve` is never a sentence for the router: all of it is feedback, minus an optional `ex=<id>`. */
function parseImprove(text: string): Parse {
  const execution = /(^|\s)(?:ex|execution)=(\S*)/i.exec(text);
  const feedback = (execution ? text.replace(execution[0], " ") : text).trim();
  if (feedback === "") return fail("Tell me what to improve, e.g. `/improve the summary was too long`.");
  const id = execution?.[2];
  return id ? { type: "improve", feedback, execution: id } : { type: "improve", feedback };
}

function parseOrchestrate(rest: string): Parse {
  if (rest === "") return { type: "help" };
  const lexed = tokenize(rest);
  if (!lexed.ok) return isVerbLike(rest.split(/\s/)[0] ?? "") ? fail(lexed.message) : NOT_GRAMMAR;
  const [head, ...tail] = nounVerb(lexed.tokens);
  if (head?.kind !== "word") return NOT_GRAMMAR;
  const verb = verbOf(head.text);
  const parse = verb === undefined ? undefined : VERBS.get(verb);
  if (verb !== undefined && parse) return parse(argsOf(verb, tail));
  return suggestVerb(head.text, tail, rest.slice(head.raw.length).trim());
}

/**
 * Noun-verb forms people type (`workflow list`, `workflow run hello`, `execution show ex_1`,
 * `schedule delete sch_1`): the noun and its verb stand for the grammar's own verb.
 */
const NOUN_VERBS: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map(
  Object.entries({
    workflow: { list: "workflows", run: "run", start: "run", show: "show", rollback: "rollback" },
    execution: { list: "runs", show: "show", cancel: "cancel", approve: "approve", reject: "reject" },
    agent: { list: "agents", spawn: "spawn", retire: "retire" },
    schedule: {
      list: "schedules",
      show: "schedules",
      delete: "unschedule",
      remove: "unschedule",
      create: "schedule",
      add: "schedule",
    },
    budget: { show: "budget", list: "budget" },
    access: { show: "access", list: "access", grant: "grant", revoke: "revoke" },
  }).flatMap(([noun, verbs]) => {
    const map = new Map(Object.entries(verbs));
    return [
      [noun, map],
      [`${noun}s`, map],
    ] as const;
  }),
);

function nounVerb(tokens: Token[]): Token[] {
  const [noun, verb, ...rest] = tokens;
  if (noun?.kind !== "word" || verb?.kind !== "word") return tokens;
  const meant = NOUN_VERBS.get(noun.text.toLowerCase())?.get(verb.text.toLowerCase());
  return meant === undefined ? tokens : [{ ...verb, text: meant, raw: meant }, ...rest];
}

/** Only a run's first character may start the match, so a long run of dots is read once (linear time). */
const TRAILING_PUNCTUATION = /(?<![?!.,])[?!.,]+$/;

/** `Status` and `status?` are `status`. */
function verbOf(word: string): string | undefined {
  const lower = word.toLowerCase();
  const bare = lower.replace(TRAILING_PUNCTUATION, "");
  return VERBS.has(lower) ? lower : VERBS.has(bare) ? bare : undefined;
}

function argsOf(verb: string, tail: Token[]): Args {
  const pairs = tail.filter((token): token is Pair => token.kind === "pair");
  const words = tail.filter((token): token is Positional => token.kind !== "pair");
  return { verb, words, pairs, tail };
}

function isVerbLike(word: string): boolean {
  return verbOf(word) !== undefined || closest(word, TYPO_CANDIDATES).length > 0;
}

/** A near miss is an error only if the corrected command would not itself read as a sentence. */
function suggestVerb(typed: string, tail: Token[], rest: string): Parse {
  const meant = closest(typed, TYPO_CANDIDATES).filter((verb) => {
    const parsed = VERBS.get(verb)?.(argsOf(verb, tail));
    return parsed !== undefined && !("kind" in parsed && parsed.kind === "not-grammar");
  });
  if (meant.length === 0) return NOT_GRAMMAR;
  const suggestions = meant.map((verb) => `/orchestrate ${verb} ${rest}`.trim());
  return fail(`Unknown command \`${typed}\`. Did you mean \`${meant.join("` or `")}\`?`, suggestions);
}

/** Every command leaves through the zod schema, so a caller never sees one that does not parse. */
function validate(parse: Parse): GrammarResult {
  if ("kind" in parse) return parse;
  const result = Command.safeParse(parse);
  return result.success
    ? { kind: "command", command: result.data }
    : fail(describe(parse.type, result.error.issues[0]));
}

/** One sentence from a zod issue, e.g. "`limit` must be a number between 1 and 100." */
function describe(type: CommandType, issue: z.core.$ZodIssue | undefined): string {
  const field = `\`${issue?.path.map(String).join(".") || "command"}\``;
  switch (issue?.code) {
    case "too_small":
      return issue.origin === "string" ? `${field} must not be empty.` : `${field} must be ${range(type, issue)}.`;
    case "too_big":
      return issue.origin === "string"
        ? `${field} is too long (${issue.maximum} max).`
        : `${field} must be ${range(type, issue)}.`;
    case "invalid_format":
      return `${field} may only contain ${issue.message}.`;
    case "invalid_value":
      return `${field} must be one of: ${issue.values.map(String).join(", ")}.`;
    default:
      return `${field} is not valid.`;
  }
}

/** Bounds come from the schema, so the message cannot drift from what the schema accepts. */
function range(type: CommandType, issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const [field] = issue.path;
  const shape: Record<string, unknown> | undefined = Command.options.find((o) => o.shape.type.value === type)?.shape;
  let schema = typeof field === "string" ? shape?.[field] : undefined;
  if (schema instanceof z.ZodOptional) schema = schema.unwrap();
  const [min, max] = schema instanceof z.ZodNumber ? [schema.minValue, schema.maxValue] : [null, null];
  if (min !== null && max !== null && max < Number.MAX_SAFE_INTEGER) return `a number between ${min} and ${max}`;
  return issue.code === "too_small" ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
}

/** `?` is one edit away from every single character, so it is never suggested. */
const TYPO_CANDIDATES = GRAMMAR_VERBS.filter((verb) => verb !== "?");
