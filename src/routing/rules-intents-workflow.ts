import type { CommandType } from "../commands/commands.js";
import type { WorkflowHint } from "../commands/workflow-hint.js";
import { editDistance } from "../did-you-mean.js";
import { exampleFor, orchestrate, runExample, toGrammar } from "./rules-grammar.js";
import { repeats } from "./rules-intents-admin.js";
import type { Utterance } from "./rules-text.js";
import { escapeRegExp, inOrder, isNegated, NOT_A_NAME } from "./rules-text.js";
import { DOUBTFUL, GUESS, type IntentRule, LIKELY, type Match, PLAUSIBLE, SURE, UNSURE } from "./rules-types.js";
import { collectInput } from "./rules-workflow-input.js";
import type { RouteContext } from "./types.js";

/** Intents about workflows: list, show, run, roll back. A workflow is one the context knows, by name. */

const RUN_VERB =
  /\b(?:run|re-?run|start|kick(?:ing)? off|kickoff|launch|trigger|execute|fire (?:off|up)|spin up|invoke|do an?|go with an?)\b(?!:)/;
/** A question about running ("what happens if I run hello?") is not a request to run. */
const QUESTION =
  /^(?:is|are|was|were|did|does|do(?! an?\b)|has|have|which|what|whats|when|why|who|whos|how|can i|could i|should i|may i|shall i)\b/;
const EXECUTION_TALK = /\b(?:runs|executions|jobs)\b|\bex_[a-z0-9]/;
const SHOW_CUE =
  /\b(?:show|describe|details?|explain|info|definition|define|about|look at|inspect|open|view|what does|whats|what is|steps|inputs|versions?|tell me|how does)\b/;
/** "list the workflows", "which workflows are there": a cue word and later "workflows", scanned forward (linear). */
const LIST_CUE =
  /^workflows$|\bworkflows (?:are there|do we have|exist|(?:are )?available)\b|\bwhat (?:can|could) (?:i|we) (?:run|start|launch|trigger)\b/;
const LIST_WORD = /\b(?:list|show|which|what|all|available|any|see|get|display|view|known|existing|our)\b/g;
const WORKFLOWS_WORD = /\b(?:workflows|pipelines|playbooks)\b/g;

function asksForWorkflows(plain: string): boolean {
  return LIST_CUE.test(plain) || inOrder(plain, [LIST_WORD, WORKFLOWS_WORD]) !== null;
}
/** The name before "workflow" is tried once per word, from its start (a `\b` start would retry after every `-`). */
const NAMED =
  /(?<![\w.-])[.-]*([a-z0-9][\w.-]*) (?:workflow|flow|pipeline)\b|\b(?:workflow|pipeline) (?:called |named )?([a-z0-9][\w.-]*)/g;
const NAME_AFTER_VERB =
  /\b(?:run|re-?run|start|launch|trigger|execute|kick off|kickoff|show|describe)\s+(?:the |a |an |our |my )?([a-z0-9][\w.-]*)/;
const NOT_A_WORKFLOW = new Set(["workflow", "workflows", "flow", "pipeline", "step", "steps"]);
const ROLLBACK = /\b(?:roll ?back|revert|downgrade)\b|\broll \S+ back\b|\bgo back to (?:version|ver|v)\s*\d/;
const VERSION = /\b(?:version|ver|v)\s*#?\s*(\d{1,9})\b|\bv(\d{1,9})\b|\bto (\d{1,9})\b/;

export const workflowList: IntentRule = (u) =>
  asksForWorkflows(u.plain) && !EXECUTION_TALK.test(u.plain)
    ? { type: "workflow.list", confidence: LIKELY, command: { type: "workflow.list" } }
    : null;

export const workflowShow: IntentRule = (u, context) => {
  if (RUN_VERB.test(u.plain) || ROLLBACK.test(u.plain) || EXECUTION_TALK.test(u.plain) || repeats(u.plain)) return null;
  const [workflow] = mentionedWorkflows(u.plain, context.workflows);
  if (workflow) return showKnown(u.plain, workflow);
  const name = unknownName(u.plain);
  return name !== undefined && SHOW_CUE.test(u.plain) ? unknownWorkflow("workflow.show", name, context) : null;
};

/** A workflow named with nothing else ("hello?") is probably about it, but show or run? Ask. */
function showKnown(plain: string, workflow: WorkflowHint): Match {
  const command = { type: "workflow.show", workflow: workflow.name } as const;
  if (SHOW_CUE.test(plain)) return { type: command.type, confidence: LIKELY, command };
  // "the hello workflow — give it a go?" names it without saying show: act offline, but let an LLM weigh it.
  if (/\bworkflow\b/.test(plain)) return { type: command.type, confidence: PLAUSIBLE, command };
  return { type: command.type, confidence: UNSURE, command, suggestions: [toGrammar(command), runExample(workflow)] };
}

/**
 * What a workflow's description says it does, as verbs people use for it: "Greets someone by name."
 * → greet, say hi to, say hello to; "Checks that each URL answers…" → check, verify, ping.
 */
const VERB_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  greet: ["greet", "say hi to", "say hello to", "say hey to", "wave at", "wave to", "welcome"],
  check: ["check on", "check if", "check whether", "check that", "check", "verify", "probe", "ping", "monitor"],
  summarize: ["summarize", "summarise", "sum up"],
  review: ["review", "critique"],
  research: ["research", "look into", "investigate"],
};

function describedVerbs(workflow: WorkflowHint, hasUrl: boolean): readonly string[] {
  const first = /^([A-Za-z]+?)(?:es|s)\b/.exec(workflow.description ?? "")?.[1]?.toLowerCase();
  const described = first === undefined ? [] : (VERB_SYNONYMS[first] ?? VERB_SYNONYMS[`${first}e`] ?? []);
  // A name that holds one of these verbs ("healthcheck") is asked for by it only with a URL to act on.
  const named = hasUrl
    ? Object.entries(VERB_SYNONYMS).flatMap(([verb, phrases]) => (workflow.name.includes(verb) ? phrases : []))
    : [];
  return [...described, ...named];
}

/** "say hi to Grace" → hello, "Grace": a workflow asked for by what it does, and the words after. */
function byWhatItDoes(u: Utterance, workflows: readonly WorkflowHint[]) {
  for (const workflow of workflows) {
    for (const phrase of describedVerbs(workflow, /\bhttps?:\/\//.test(u.text))) {
      const at = new RegExp(String.raw`(?:^|\s)${escapeRegExp(phrase)}\b`).exec(u.plain);
      if (!at) continue;
      const typedAt = u.text.toLowerCase().indexOf(phrase);
      const after = typedAt < 0 ? "" : u.text.slice(typedAt + phrase.length).trim();
      return { workflow, index: at.index, after };
    }
  }
  return undefined;
}

/** "is example.com up? run a healthcheck": the question was asked before the request. */
function askedBefore(text: string): boolean {
  const end = text.lastIndexOf("?");
  return end >= 0 && RUN_VERB.test(text.slice(end + 1).toLowerCase());
}

export const workflowRun: IntentRule = (u, context) => {
  const verb = RUN_VERB.exec(u.plain);
  // "run healthcheck every 30 minutes" asks for a schedule (rules-intents-admin).
  if (EXECUTION_TALK.test(u.plain) || repeats(u.plain)) return null;
  if (!verb) {
    const described = byWhatItDoes(u, context.workflows);
    if (!described) return null;
    // Asked for by what it does, not by name: acts offline, but below the LLM fast path (a model,
    // when there is one, reads the inputs better), and an explicit request outranks it.
    const match = runMatch(u, described.workflow, described.index, `${described.workflow.name} for ${described.after}`);
    return { ...match, confidence: Math.min(match.confidence, PLAUSIBLE) };
  }
  const workflow = workflowAfter(u.plain, verb.index, context.workflows);
  if (!workflow) return unknownWorkflow("workflow.run", unknownName(u.plain), context);
  return runMatch(u, workflow, verb.index, u.text);
};

function runMatch(u: Utterance, workflow: WorkflowHint, verbIndex: number, text: string): Match {
  const { input, missing } = collectInput(text, workflow);
  const doubtful = (QUESTION.test(u.plain) && !askedBefore(u.text)) || isNegated(u.plain, verbIndex);
  if (missing.length > 0) {
    const hints = workflow.inputs.filter((hint) => missing.includes(hint.name));
    return {
      type: "workflow.run",
      confidence: doubtful ? UNSURE : LIKELY,
      suggestions: [runExample(workflow, input)],
      needs: { workflow, input, missing: hints },
    };
  }
  const command = { type: "workflow.run", workflow: workflow.name, input } as const;
  return { type: command.type, confidence: doubtful ? UNSURE : SURE, command };
}

export const workflowRollback: IntentRule = (u, context) => {
  const verb = ROLLBACK.exec(u.plain);
  if (!verb) return null;
  const [workflow] = mentionedWorkflows(u.plain, context.workflows);
  if (!workflow) return unknownWorkflow("workflow.rollback", unknownName(u.plain), context);
  const version = versionIn(u.plain);
  const example = orchestrate("rollback", workflow.name, "…");
  if (version === undefined) return { type: "workflow.rollback", confidence: UNSURE, suggestions: [example] };
  const command = { type: "workflow.rollback", workflow: workflow.name, version } as const;
  return { type: command.type, confidence: isNegated(u.plain, verb.index) ? UNSURE : LIKELY, command };
};

function versionIn(plain: string): number | undefined {
  const match = VERSION.exec(plain);
  const digits = match?.[1] ?? match?.[2] ?? match?.[3];
  return digits === undefined || Number(digits) < 1 ? undefined : Number(digits);
}

/** Known workflows in the order they are mentioned; "healthcheck's" counts as "healthcheck". */
function mentionedWorkflows(plain: string, workflows: readonly WorkflowHint[]): WorkflowHint[] {
  return workflows
    .map((workflow) => ({ workflow, at: mentionIndex(plain, workflow.name) }))
    .filter((mention) => mention.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((mention) => mention.workflow);
}

function mentionIndex(plain: string, name: string): number {
  const pattern = new RegExp(String.raw`(?<![\w.@#/-])(?:${spellings(name).join("|")})s?(?![\w/-]|\.\w)`);
  return pattern.exec(plain)?.index ?? -1;
}

/**
 * How people write a workflow's name: as named, with its hyphens as spaces ("map reduce") or
 * dropped ("mapreduce"), and a one-word name split where it joins two words ("health check").
 */
function spellings(name: string): string[] {
  const lower = name.toLowerCase();
  const variants = new Set([lower, lower.replace(/-/g, " "), lower.replace(/-/g, "")].map(escapeRegExp));
  if (!lower.includes("-") && lower.length >= 8)
    for (let at = 4; at <= lower.length - 4; at += 1)
      variants.add(`${escapeRegExp(lower.slice(0, at))}[ -]${escapeRegExp(lower.slice(at))}`);
  return [...variants];
}

/** The workflow right after the verb ("run hello for healthcheck-team"), else the first one named. */
function workflowAfter(plain: string, from: number, workflows: readonly WorkflowHint[]): WorkflowHint | undefined {
  const mentioned = mentionedWorkflows(plain, workflows);
  return mentioned.find((workflow) => mentionIndex(plain, workflow.name) >= from) ?? mentioned[0];
}

/** A name the person used for a workflow we do not know: "the deploy workflow", "run deploy". */
function unknownName(plain: string): string | undefined {
  const named = Array.from(plain.matchAll(NAMED), (match) => match[1] ?? match[2]);
  const candidates = [...named, NAME_AFTER_VERB.exec(plain)?.[1]];
  return candidates.find((name): name is string => name !== undefined && isWorkflowName(name));
}

function isWorkflowName(name: string): boolean {
  return !NOT_A_NAME.has(name) && !NOT_A_WORKFLOW.has(name);
}

function unknownWorkflow(type: CommandType, name: string | undefined, context: RouteContext): Match {
  const near = name === undefined ? undefined : closestWorkflow(name, context.workflows);
  const example = near === undefined ? exampleFor(type, context) : exampleWith(type, near);
  return {
    type,
    confidence: name === undefined ? GUESS : DOUBTFUL,
    suggestions: [example, exampleFor("workflow.list", context)],
  };
}

function exampleWith(type: CommandType, workflow: WorkflowHint): string {
  if (type === "workflow.run") return runExample(workflow);
  if (type === "workflow.rollback") return orchestrate("rollback", workflow.name, "…");
  return toGrammar({ type: "workflow.show", workflow: workflow.name });
}

/** "helo" → hello: one slip for short names, two for longer ones. */
function closestWorkflow(name: string, workflows: readonly WorkflowHint[]): WorkflowHint | undefined {
  const allowed = name.length <= 4 ? 1 : 2;
  const scored = workflows.map((workflow) => ({ workflow, d: editDistance(name, workflow.name.toLowerCase()) }));
  const [best] = scored.filter((entry) => entry.d <= allowed).sort((a, b) => a.d - b.d);
  return best?.workflow;
}
