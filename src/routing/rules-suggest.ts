import type { CommandType } from "../commands/commands.js";
import { editDistance } from "../did-you-mean.js";
import { exampleFor, runExample, toGrammar } from "./rules-grammar.js";
import { quotable } from "./rules-text.js";
import type { Match } from "./rules-types.js";
import type { RouteContext } from "./types.js";

/** What the rules router says when it will not act: one sentence, and up to three commands to try. */

const MAX_SUGGESTIONS = 3;
const STARTERS: readonly CommandType[] = ["help", "status", "workflow.list"];

/** Words that point at an intent even when no rule matched ("stauts", "budgett", "unschedule"). */
const KEYWORDS: Readonly<Record<CommandType, readonly string[]>> = {
  help: ["help", "usage", "commands", "how"],
  status: ["status", "running", "happening", "going", "progress", "health", "overview", "state"],
  history: ["history", "audit", "recent", "did", "log"],
  "workflow.list": ["workflows", "workflow", "available"],
  "workflow.show": ["describe", "definition", "inputs"],
  "workflow.run": ["run", "start", "launch", "trigger", "kick", "execute"],
  "workflow.rollback": ["rollback", "revert", "version"],
  "execution.list": ["runs", "executions", "failed", "failures", "jobs", "failing"],
  "execution.show": ["execution", "details", "happened", "logs"],
  "execution.approve": ["approve", "approval", "lgtm"],
  "execution.reject": ["reject", "deny", "decline"],
  "execution.cancel": ["cancel", "abort", "kill"],
  ask: ["ask", "question"],
  "agent.list": ["agents", "agent", "specialists"],
  "agent.spawn": ["spawn", "specialist"],
  "agent.retire": ["retire", "dismiss"],
  "orchestrator.step": ["step", "tick"],
  "orchestrator.mode": ["pause", "resume", "mode", "manual", "continuous"],
  "schedule.list": ["schedules", "scheduled", "schedule", "cron"],
  "schedule.create": ["every", "daily", "weekly"],
  "schedule.delete": ["unschedule"],
  digest: ["digest", "summary", "report"],
  "budget.show": ["budget", "spend", "spent", "cost", "costs", "money"],
  "budget.set": ["limit"],
  improve: ["improve", "feedback"],
  "access.grant": ["grant", "permission", "permissions"],
  "access.revoke": ["revoke"],
  "access.show": ["access", "grants", "roles", "allowed"],
  "access.whoami": ["whoami", "me", "myself"],
  "identity.link": ["link", "connect", "merge"],
  "identity.unlink": ["unlink", "disconnect"],
  "proposal.list": ["proposals", "improvements", "suggestions"],
  "token.create": ["token", "api", "key"],
  "token.list": ["tokens", "keys"],
  "token.revoke": ["revoke", "token"],
};

export interface SuggestionInput {
  plain: string;
  /** Every rule's match, best first. */
  matches: readonly Match[];
  /** False when the message reads like an attempt to steer the bot: then only the starters are offered. */
  trusted: boolean;
}

export function suggestionsFor({ plain, matches, trusted }: SuggestionInput, context: RouteContext): string[] {
  const starters = STARTERS.map((type) => exampleFor(type, context));
  if (!trusted) return starters;
  const found = [
    ...matches.flatMap(
      (match) => match.suggestions ?? [match.command ? toGrammar(match.command) : exampleFor(match.type, context)],
    ),
    ...nearWorkflows(plain, context),
    ...typesByKeyword(plain).map((type) => exampleFor(type, context)),
  ];
  const unique = [...new Set(found)].slice(0, MAX_SUGGESTIONS);
  return unique.length > 0 ? unique : starters;
}

export function notSure(raw: string): string {
  const typed = quotable(raw);
  return typed === "" ? "I didn't catch a request there." : `I'm not sure what you meant by “${typed}”.`;
}

function typesByKeyword(plain: string): CommandType[] {
  const words = wordCounts(plain);
  const score = (type: CommandType) => {
    let total = 0;
    for (const [word, count] of words) if (KEYWORDS[type].some((k) => isNear(word, k))) total += count;
    return total;
  };
  return (Object.keys(KEYWORDS) as CommandType[])
    .map((type) => ({ type, score: score(type) }))
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score)
    .map((entry) => entry.type);
}

/** A word one slip away from a workflow's name ("helo") suggests running it. */
function nearWorkflows(plain: string, context: RouteContext): string[] {
  const words = [...wordCounts(plain).keys()];
  return context.workflows
    .filter((workflow) => words.some((word) => isNear(word, workflow.name.toLowerCase())))
    .map((workflow) => runExample(workflow));
}

/** Each distinct word once, with how often it occurs: a long message compares each word once, not each time. */
function wordCounts(plain: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of plain.split(" ")) if (word !== "") counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

function isNear(word: string, keyword: string): boolean {
  if (word === keyword) return true;
  const comparable = word.length >= 4 && keyword.length >= 4 && Math.abs(word.length - keyword.length) <= 1;
  return comparable && editDistance(word, keyword) <= 1;
}
