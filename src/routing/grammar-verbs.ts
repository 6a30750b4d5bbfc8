import type { z } from "zod";
import {
  COMMAND_SPECS,
  type Command,
  type CommandType,
  EXECUTION_STATUSES,
  type GrammarVerb,
  ORCHESTRATOR_MODES,
} from "../commands/commands.js";
import { closest } from "../did-you-mean.js";
import { joinTokens, type Pair, type Positional, parseReference, type Token, tokenText } from "./tokenize.js";

/**
 * The `/orchestrate` verbs: one parser per verb, each turning the tokens after it into a command
 * that `grammar.ts` then validates, or into the reason there is none.
 */
export type GrammarError = { kind: "error"; message: string; suggestions: string[] };
type Refusal = GrammarError | { kind: "not-grammar" };
/** A command before validation, or the reason there is none. */
export type Parse = z.input<typeof Command> | Refusal;
/** `tail` is every token after the verb, in order; `words` and `pairs` split it by kind. */
export type Args = { verb: string; words: Positional[]; pairs: Pair[]; tail: Token[] };
type VerbParser = (args: Args) => Parse;

export const NOT_GRAMMAR = { kind: "not-grammar" } as const;

export function fail(message: string, suggestions: string[] = []): GrammarError {
  return { kind: "error", message, suggestions };
}

function usage(type: CommandType, message: string, suggestions: string[] = []): GrammarError {
  return fail(`${message} Usage: /orchestrate ${COMMAND_SPECS[type].usage}`, suggestions);
}

/** More positionals than the verb takes means a sentence; a key it does not take is a mistake. */
function refuse(args: Args, maxWords: number, keys: readonly string[] = []): Refusal | undefined {
  if (args.words.length > maxWords) return NOT_GRAMMAR;
  const unknown = args.pairs.find((pair) => !keys.includes(pair.key));
  return unknown ? fail(`\`${args.verb}\` does not take a \`${unknown.key}\` option.`) : undefined;
}

function option(args: Args, key: string): string | undefined {
  return args.pairs.findLast((pair) => pair.key === key)?.value;
}

function inputOf(pairs: readonly Pair[]): Record<string, string> {
  return Object.fromEntries(pairs.map((pair) => [pair.key, pair.value]));
}

function wholeNumber(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function isOneOf<T extends string>(text: string, choices: readonly T[]): text is T {
  return (choices as readonly string[]).includes(text);
}

function fixed(command: z.input<typeof Command>): VerbParser {
  return (args) => refuse(args, 0) ?? command;
}

/** Verbs that take exactly one id or name. */
function single(type: CommandType, what: string, build: (id: string) => Parse): VerbParser {
  return (args) => {
    const [id] = args.words;
    const refusal = refuse(args, 1);
    if (refusal) return refusal;
    return id ? build(tokenText(id)) : usage(type, `\`${args.verb}\` needs ${what}.`);
  };
}

function parseHelp(args: Args): Parse {
  const [topic] = args.words;
  return refuse(args, 1) ?? (topic ? { type: "help", topic: tokenText(topic) } : { type: "help" });
}

/** `history [n] [@user | user=@user]`, in either order. */
function parseHistory(args: Args): Parse {
  // `history orchestrator [n]`: the orchestrator's decision journal (user=orchestrator).
  const journal = args.words.find((word) => /^(orchestrator|journal)$/i.test(tokenText(word)));
  if (journal)
    return parseHistory({
      ...args,
      words: args.words.filter((w) => w !== journal),
      pairs: [...args.pairs, { kind: "pair", key: "user", value: "orchestrator", raw: "user=orchestrator" }],
    });
  const users = args.words.filter((word) => word.kind === "user");
  const [count, extra] = args.words.filter((word) => word.kind !== "user");
  const refusal = refuse(args, 2, HISTORY_KEYS) ?? (extra || users.length > 1 ? NOT_GRAMMAR : undefined);
  if (refusal) return refusal;
  const limit = count && wholeNumber(tokenText(count));
  if (count && limit === undefined) return usage("history", `\`${tokenText(count)}\` is not a number.`);
  const typed = option(args, "user");
  const user = users[0]?.name ?? (typed === undefined ? undefined : userName(typed));
  const before = option(args, "before");
  const page = before === undefined ? undefined : wholeNumber(before);
  if (before !== undefined && page === undefined) return usage("history", `\`before=${before}\` is not a row number.`);
  const filters = Object.fromEntries(
    (["command", "outcome", "since", "until"] as const).flatMap((key) => {
      const value = option(args, key);
      return value === undefined ? [] : [[key, value]];
    }),
  );
  return {
    type: "history",
    ...(limit === undefined ? {} : { limit }),
    ...(user === undefined ? {} : { user }),
    ...filters,
    ...(page === undefined ? {} : { before: page }),
  };
}

/** `history` filters, as `/orchestrate history command=workflow.run outcome=denied since=2026-12-01T00:00:00Z`. */
const HISTORY_KEYS = ["user", "command", "outcome", "since", "until", "before"] as const;

function userName(text: string): string {
  const reference = parseReference(text);
  return reference?.kind === "user" ? reference.name : text;
}

/** `workflow` and `workflow list` list; `workflow <name>` shows. */
function parseWorkflow(args: Args): Parse {
  const name = args.words[0] && tokenText(args.words[0]);
  const listing = name === undefined || name.toLowerCase() === "list";
  return refuse(args, 1) ?? (listing ? { type: "workflow.list" } : { type: "workflow.show", workflow: name });
}

function showTarget(id: string): Parse {
  return id.startsWith("ex_") ? { type: "execution.show", execution: id } : { type: "workflow.show", workflow: id };
}

function parseRun(args: Args): Parse {
  const [workflow, extra] = args.words;
  if (workflow === undefined) return usage("workflow.run", `\`${args.verb}\` needs a workflow name.`);
  if (args.words.length > 2) return NOT_GRAMMAR;
  const name = tokenText(workflow);
  const hint = `Inputs are key=value pairs, e.g. \`run ${name} name=Ada\`.`;
  return extra ? usage("workflow.run", hint) : { type: "workflow.run", workflow: name, input: inputOf(args.pairs) };
}

function parseRollback(args: Args): Parse {
  const [workflow, version] = args.words;
  const refusal = refuse(args, 2);
  if (refusal) return refusal;
  if (!workflow || !version) return usage("workflow.rollback", "`rollback` needs a workflow name and a version.");
  const number = wholeNumber(tokenText(version).replace(/^v/i, ""));
  if (number === undefined) return usage("workflow.rollback", `\`${tokenText(version)}\` is not a version number.`);
  return { type: "workflow.rollback", workflow: tokenText(workflow), version: number };
}

/** `runs [status] [n]`, in either order. */
function parseRuns(args: Args): Parse {
  const texts = args.words.map((word) => tokenText(word).toLowerCase());
  const numbers = texts.map(wholeNumber).filter((n) => n !== undefined);
  const statuses = texts.filter((text) => isOneOf(text, EXECUTION_STATUSES));
  const unknown = texts.find((text) => wholeNumber(text) === undefined && !isOneOf(text, EXECUTION_STATUSES));
  const refusal = refuse(args, 2) ?? (numbers.length > 1 || statuses.length > 1 ? NOT_GRAMMAR : undefined);
  if (refusal) return refusal;
  if (unknown !== undefined) return choiceError("execution.list", unknown, "an execution status", EXECUTION_STATUSES);
  const [status] = statuses;
  const [limit] = numbers;
  return { type: "execution.list", ...(status ? { status } : {}), ...(limit === undefined ? {} : { limit }) };
}

function choiceError(type: CommandType, typed: string, what: string, choices: readonly string[]): GrammarError {
  const near = closest(typed, choices);
  const hint = near.length > 0 ? `Did you mean \`${near.join("` or `")}\`?` : `Use one of: ${choices.join(", ")}.`;
  const verb = COMMAND_SPECS[type].usage.split(" ")[0] ?? "";
  return usage(
    type,
    `\`${typed}\` is not ${what}. ${hint}`,
    near.map((choice) => `/orchestrate ${verb} ${choice}`),
  );
}

function parseVerdict(type: "execution.approve" | "execution.reject"): VerbParser {
  return (args) => {
    const [execution] = args.words;
    if (execution === undefined) return usage(type, `\`${args.verb}\` needs an execution id.`);
    const note = joinTokens(args.tail.filter((token) => token !== execution));
    return { type, execution: tokenText(execution), ...(note === "" ? {} : { note }) };
  };
}

function parseAsk(args: Args): Parse {
  const specialty = option(args, "specialty");
  const question = joinTokens(args.tail.filter((token) => token.kind !== "pair" || token.key !== "specialty"));
  if (question === "") return usage("ask", "`ask` needs a question.");
  return { type: "ask", question, ...(specialty === undefined ? {} : { specialty }) };
}

function parseSpawn(args: Args): Parse {
  const [specialty] = args.words;
  if (specialty === undefined) return usage("agent.spawn", "`spawn` needs a specialty.");
  const context = joinTokens(args.tail.filter((token) => token !== specialty));
  return { type: "agent.spawn", specialty: tokenText(specialty), ...(context === "" ? {} : { context }) };
}

function parseMode(args: Args): Parse {
  const mode = args.words[0] && tokenText(args.words[0]).toLowerCase();
  const refusal = refuse(args, 1);
  if (refusal) return refusal;
  if (!mode) return usage("orchestrator.mode", `\`mode\` needs one of: ${ORCHESTRATOR_MODES.join(", ")}.`);
  if (isOneOf(mode, ORCHESTRATOR_MODES)) return { type: "orchestrator.mode", mode };
  return choiceError("orchestrator.mode", mode, "a mode", ORCHESTRATOR_MODES);
}

/** `schedule "<cron>" <action> [#channel] [tz=…] [key=value…]`: keys besides tz are the action's input. */
/** `schedule "<cron>" run hello [#channel] name=Ada`: a run names its workflow after the verb. */
const RUN_VERBS = new Set(["run", "start", "exec", "execute"]);

function parseSchedule(args: Args): Parse {
  const [cron, verb, ...rest] = args.words;
  const runs = verb?.kind === "word" && RUN_VERBS.has(verb.text.toLowerCase()) && rest[0]?.kind === "word";
  const [action, target] = runs
    ? [{ ...verb, text: `run:${tokenText(rest[0] as typeof verb)}` }, rest[1]]
    : [verb, rest[0]];
  const quoted = cron !== undefined && ((cron.kind === "word" && cron.quoted) || tokenText(cron).startsWith("@"));
  const bareCron = !quoted && cron?.kind === "word" && /^[\d*/,-]+$/.test(cron.text);
  if (args.words.length > (runs ? 4 : 3) && !bareCron) return NOT_GRAMMAR;
  if (!quoted) return usage("schedule.create", "`schedule` needs a cron expression in quotes first.");
  if (!action) return usage("schedule.create", "`schedule` needs an action after the cron, e.g. `digest`.");
  if (target && target.kind !== "channel")
    return usage("schedule.create", `\`${tokenText(target)}\` is not a #channel.`);
  const tz = option(args, "tz");
  const input = inputOf(args.pairs.filter((pair) => pair.key !== "tz"));
  return {
    type: "schedule.create",
    cron: tokenText(cron),
    action: tokenText(action),
    ...(target ? { target: target.text } : {}),
    ...(tz === undefined ? {} : { tz }),
    ...(Object.keys(input).length > 0 ? { input } : {}),
  };
}

function parseDigest(args: Args): Parse {
  const [channel] = args.words;
  const refusal = refuse(args, 1);
  if (refusal || channel === undefined) return refusal ?? { type: "digest" };
  if (channel.kind === "channel") return { type: "digest", channel: channel.text };
  const example = channel.kind === "word" ? [`/orchestrate digest #${channel.text}`] : [];
  return usage("digest", `\`${tokenText(channel)}\` is not a #channel.`, example);
}

/** `budget [scope]` shows; `budget set <scope> key=value…` sets. */
function parseBudget(args: Args): Parse {
  const [first, scope] = args.words;
  if (!first || tokenText(first).toLowerCase() !== "set") {
    return refuse(args, 1) ?? (first ? { type: "budget.show", scope: tokenText(first) } : { type: "budget.show" });
  }
  if (args.words.length > 2) return NOT_GRAMMAR;
  if (!scope) return usage("budget.set", "`budget set` needs a scope.");
  const bad = args.pairs.find((pair) => amount(pair.value) === undefined);
  if (bad) return usage("budget.set", `\`${bad.key}\` must be a non-negative number, not \`${bad.value}\`.`);
  if (args.pairs.length === 0) return usage("budget.set", "`budget set` needs at least one limit, e.g. `usd=5`.");
  const limits = Object.fromEntries(args.pairs.map((pair) => [pair.key, amount(pair.value) ?? 0]));
  return { type: "budget.set", scope: tokenText(scope), limits };
}

/**
 * `grant <who> <role> [#channel | workflow=<name>]` (and `revoke …`): who is a mention or an
 * account (`slack:U123`, `group:slack:S1`); the handler turns it into an account of the asker's platform.
 */
function parseGrant(type: "access.grant" | "access.revoke"): VerbParser {
  return (args) => {
    const refusal = refuse(args, 3, ["workflow", "channel", "role"]);
    if (refusal) return refusal;
    const channels = args.words.filter((word) => word.kind === "channel");
    const [who, role, extra] = args.words.filter((word) => word.kind !== "channel");
    const roleName = option(args, "role") ?? (role && tokenText(role));
    if (who === undefined) return usage(type, `\`${args.verb}\` needs a person or group, e.g. \`@lin\`.`);
    if (roleName === undefined)
      return usage(type, `\`${args.verb}\` needs a role: viewer, operator, approver or admin.`);
    if (extra !== undefined || channels.length > 1 || (option(args, "role") !== undefined && role !== undefined))
      return NOT_GRAMMAR;
    const channel = channels[0]?.text ?? option(args, "channel");
    const workflow = option(args, "workflow");
    if (channel !== undefined && workflow !== undefined)
      return usage(type, "A grant is for one channel or one workflow, not both.");
    return {
      type,
      subject: tokenText(who),
      role: roleName,
      ...(channel === undefined ? {} : { channel }),
      ...(workflow === undefined ? {} : { workflow }),
    };
  };
}

/** `access`, `access @who`, `access #channel`. */
function parseAccess(args: Args): Parse {
  const refusal = refuse(args, 1);
  const [target] = args.words;
  if (refusal || target === undefined) return refusal ?? { type: "access.show" };
  return target.kind === "channel"
    ? { type: "access.show", channel: target.text }
    : { type: "access.show", subject: tokenText(target) };
}

function amount(text: string): number | undefined {
  return /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : undefined;
}

/** One parser per verb in the command table: a verb without a parser (or a parser for no verb) does not compile. */
const PARSERS: { readonly [V in GrammarVerb]: VerbParser } = {
  status: fixed({ type: "status" }),
  help: parseHelp,
  "?": parseHelp,
  history: parseHistory,
  log: parseHistory,
  audit: parseHistory,
  workflows: fixed({ type: "workflow.list" }),
  wf: fixed({ type: "workflow.list" }),
  workflow: parseWorkflow,
  show: single("workflow.show", "a workflow name or an execution id", showTarget),
  run: parseRun,
  start: parseRun,
  exec: parseRun,
  execute: parseRun,
  rollback: parseRollback,
  runs: parseRuns,
  executions: parseRuns,
  approve: parseVerdict("execution.approve"),
  ok: parseVerdict("execution.approve"),
  lgtm: parseVerdict("execution.approve"),
  reject: parseVerdict("execution.reject"),
  deny: parseVerdict("execution.reject"),
  cancel: parseCancel,
  stop: parseCancel,
  abort: parseCancel,
  ask: parseAsk,
  agents: fixed({ type: "agent.list" }),
  spawn: parseSpawn,
  retire: single("agent.retire", "an agent name", (agent) => ({ type: "agent.retire", agent })),
  step: fixed({ type: "orchestrator.step" }),
  mode: parseMode,
  pause: fixed({ type: "orchestrator.mode", mode: "paused" }),
  resume: fixed({ type: "orchestrator.mode", mode: "scheduled" }),
  schedules: fixed({ type: "schedule.list" }),
  schedule: parseSchedule,
  unschedule: single("schedule.delete", "a schedule id", (schedule) => ({ type: "schedule.delete", schedule })),
  digest: parseDigest,
  budget: parseBudget,
  grant: parseGrant("access.grant"),
  revoke: parseGrant("access.revoke"),
  access: parseAccess,
  grants: parseAccess,
  roles: parseAccess,
  whoami: fixed({ type: "access.whoami" }),
  link: parseLink,
  unlink: fixed({ type: "identity.unlink" }),
  token: parseToken,
  proposals: parseProposals,
  improvements: parseProposals,
  tokens: fixed({ type: "token.list" }),
};

/** `proposals [proposed|applied|discarded] [workflow=<name>]`. */
function parseProposals(args: Args): Parse {
  const refusal = refuse(args, 1, ["workflow", "limit"]);
  if (refusal) return refusal;
  const status = args.words[0] === undefined ? undefined : tokenText(args.words[0]).toLowerCase();
  const workflow = option(args, "workflow");
  const count = option(args, "limit");
  const limit = count === undefined ? undefined : wholeNumber(count);
  return {
    type: "proposal.list",
    ...(status === undefined ? {} : { status }),
    ...(workflow === undefined ? {} : { workflow }),
    ...(limit === undefined ? {} : { limit }),
  } as Parse;
}

/** `token create [name]`, `token list`, `token revoke <number>` (README "HTTP API"). */
function parseToken(args: Args): Parse {
  const [sub, ...rest] = args.words.map(tokenText);
  const verb = sub?.toLowerCase();
  if (verb === undefined || verb === "list" || verb === "ls") return refuse(args, 1) ?? { type: "token.list" };
  if (verb === "create" || verb === "new") {
    const label = rest.join(" ").trim();
    return refuse(args, 20) ?? (label === "" ? { type: "token.create" } : { type: "token.create", name: label });
  }
  if (verb === "revoke" || verb === "delete") {
    const number = rest.length === 1 ? wholeNumber((rest[0] ?? "").replace(/^#/, "")) : undefined;
    return (
      refuse(args, 2) ??
      (number === undefined
        ? usage("token.revoke", "`token revoke` needs the token's number, as `/orchestrate tokens` lists it.")
        : { type: "token.revoke", token: number })
    );
  }
  return usage(
    "token.create",
    `\`token ${sub}\` is not a token command; try \`token create\`, \`tokens\` or \`token revoke <number>\`.`,
  );
}

/** `link` asks for a code; `link ABCD-EFGH` (or `link abcd efgh`) redeems one. */
function parseLink(args: Args): Parse {
  const refusal = refuse(args, 2);
  if (refusal) return refusal;
  const code = args.words.map(tokenText).join("");
  return code === "" ? { type: "identity.link" } : { type: "identity.link", code };
}

function parseCancel(args: Args): Parse {
  return single("execution.cancel", "an execution id", (execution) => ({ type: "execution.cancel", execution }))(args);
}

export const VERBS: ReadonlyMap<string, VerbParser> = new Map(Object.entries(PARSERS));
/** Every verb and alias `/orchestrate` understands. */
export const GRAMMAR_VERBS: readonly string[] = [...VERBS.keys()];
