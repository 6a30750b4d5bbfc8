import type { Command } from "../commands/commands.js";
import { exampleFor, toGrammar } from "./rules-grammar.js";
import { inOrder, isNegated } from "./rules-text.js";
import { GUESS, type IntentRule, LIKELY, type Match, PLAUSIBLE, UNSURE } from "./rules-types.js";
import type { RouteContext } from "./types.js";

/** Budgets: how much was spent, and (for admins, the policy decides) changing a scope's limits. */

/** "budget set …", a change verb and later "budget", or "budget … to 5": scanned forward, not `.*` (linear). */
const BUDGET_SET_TYPED = /\bbudget set\b/;
const CHANGE_VERB = /\b(?:set|change|raise|lower|increase|decrease|bump|update|cap|limit)\b/g;
const BUDGET_WORD = /\bbudget\b/g;
const TO_AMOUNT = /\bto \$?\d/g;
/** What a limit is called in words: "the daily limit", "3 concurrent runs", "agents at 4". */
const LIMIT_WORD =
  /\b(?:(?:daily |spend(?:ing)? |cost |usd |token )?limits?|caps?|concurrent runs|agents (?:at|to) \d|max(?:imum)? (?:agents|runs|spend))\b/g;

function asksToSetBudget(plain: string): boolean {
  return (
    BUDGET_SET_TYPED.test(plain) ||
    inOrder(plain, [CHANGE_VERB, LIMIT_WORD]) !== null ||
    inOrder(plain, [CHANGE_VERB, BUDGET_WORD]) !== null ||
    inOrder(plain, [BUDGET_WORD, TO_AMOUNT]) !== null
  );
}
const BUDGET =
  /\bbudgets?\b|\bhow much (?:\w+ ){0,4}(?:spent|spend|spending|cost|costs|used|burned|burnt|left)\b|\bhow much (?:money|cash)\b|\b(?:spend|spending|spent|costs?|burn rate)\b (?:so far|today|this (?:week|month)|to date)|\b(?:whats|what is|show|our|the|todays) (?:\w+ )?(?:spend|spending|costs?)\b/;
/** "budget set team", "the budget for research", "the team budget": the scope, most explicit first. */
const SCOPES: readonly RegExp[] = [
  /(?<![\w.-])((?:project|user|channel):[a-z0-9][\w.-]*)/,
  /\b(global)(?:ly)?\b|\b(?:overall|everything|everyone)\b/,
  /\bbudget set (?:for |on )?(?:the )?([a-z0-9][\w.-]*)/,
  /\bbudgets? (?:for|of|on) (?:the )?([a-z0-9][\w.-]*)/,
  // Tried once per word, from its start: a `\b` start would retry after every `-` of a long word.
  /(?<![\w.-])[.-]*([a-z0-9][\w.-]*) budgets?\b/,
];
/** Words that stand right before "budget" without naming a scope: "raise the budget", "the total budget". */
const NOT_A_SCOPE: ReadonlySet<string> = new Set(
  (
    "a an the this that my our your their its his her me us we you they it any some each every all new what whats " +
    "which is much many more less enough no in on of for to from at by with set change raise lower increase decrease bump update cap limit show see view check get " +
    "total overall current daily weekly monthly remaining full whole entire spending spend token tokens usd money cost"
  ).split(" "),
);
/** "should we raise the research budget?" weighs a change; it does not make one. */
const WONDERING = /^(?:do|does|did|should|would|shall|is|are|why|what|whats|how|when|whether)\b/;

const LIMIT_PAIR = /(?<=^|\s)([A-Za-z_][\w.-]*)\s*=\s*(\d+(?:\.\d+)?|\.\d+)(?![\w.])/g;
const DOLLARS = /\$\s?(\d+(?:\.\d+)?)|\b(\d+(?:\.\d+)?)\s?(?:usd|dollars?|bucks)\b/i;

export const budget: IntentRule = (u, context) => {
  if (asksToSetBudget(u.plain)) return budgetSet(u.text, u.plain, context);
  if (!BUDGET.test(u.plain)) return null;
  const scope = scopeIn(u.plain);
  const command: Command = scope === undefined ? { type: "budget.show" } : { type: "budget.show", scope };
  // An amount in the message may mean a change ("make it 30 bucks"): act offline, but let an LLM weigh it.
  const confidence = DOLLARS.test(u.plain) || /\d/.test(u.plain) ? PLAUSIBLE : LIKELY;
  return { type: "budget.show", confidence, command, suggestions: [toGrammar(command)] };
};

/** Acts only when both the scope and at least one amount were given; otherwise shows how to write it. */
function budgetSet(text: string, plain: string, context: RouteContext): Match {
  const scope = scopeIn(plain);
  const limits = limitsIn(text);
  if (scope === undefined || Object.keys(limits).length === 0) {
    return { type: "budget.set", confidence: UNSURE, suggestions: [exampleFor("budget.set", context)] };
  }
  const command = { type: "budget.set", scope, limits } as const;
  const doubtful = isNegated(plain, plain.search(/\bbudget\b/)) || WONDERING.test(plain);
  return { type: command.type, confidence: doubtful ? GUESS : LIKELY, command, suggestions: [toGrammar(command)] };
}

function scopeIn(plain: string): string | undefined {
  for (const pattern of SCOPES) {
    const found = pattern.exec(plain);
    const scope = found === null ? undefined : (found[1] ?? "global");
    if (scope !== undefined && !NOT_A_SCOPE.has(scope)) return scope;
  }
  return undefined;
}

/** `usd=5 tokens=100000` as typed; "$20" or "20 dollars" is `usd`. */
function limitsIn(text: string): Record<string, number> {
  const limits: Record<string, number> = Object.fromEntries(
    Array.from(text.matchAll(LIMIT_PAIR), (match) => [match[1] ?? "", Number(match[2])]),
  );
  const runs = /\b(\d{1,6}) (?:concurrent |parallel |simultaneous )?runs\b/i.exec(text)?.[1];
  if (runs !== undefined && !Object.hasOwn(limits, "runs")) limits.runs = Number(runs);
  const agents = /\bagents (?:at|to) (\d{1,6})\b|\b(\d{1,6}) agents\b/i.exec(text);
  const agentCount = agents?.[1] ?? agents?.[2];
  if (agentCount !== undefined && !Object.hasOwn(limits, "agents")) limits.agents = Number(agentCount);
  const dollars = DOLLARS.exec(text);
  const amount = dollars?.[1] ?? dollars?.[2];
  if (amount !== undefined && !Object.hasOwn(limits, "usd")) limits.usd = Number(amount);
  return limits;
}
