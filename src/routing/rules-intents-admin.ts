import { type Command, ORCHESTRATOR_MODES } from "../commands/commands.js";
import { exampleFor } from "./rules-grammar.js";
import { escapeRegExp, inOrder, isNegated, NOT_A_NAME } from "./rules-text.js";
import { GUESS, type IntentRule, LIKELY, SURE, UNSURE } from "./rules-types.js";
import { cronFromWords, REPEATS } from "./rules-when.js";
import { collectInput } from "./rules-workflow-input.js";
import type { RouteContext } from "./types.js";

type OrchestratorMode = (typeof ORCHESTRATOR_MODES)[number];

/** Running the orchestrator itself: mode, step, schedules, digest. */

const SET_MODE = /\bmode\b/;
const MODE_NAME = /\b(manual|scheduled|continuous|paused)\b/;
const SWITCH_MODE = /\b(?:switch|go|change|move|flip|turn|put it)(?: back)? (?:to |into |in )?(manual|continuous)\b/;
const PAUSE =
  /^(?:pause|freeze|hold)(?: (?:it|all|everything|things|work))?$|\b(?:pause|freeze|suspend|halt|stop)\b (?:\w+ ){0,2}(?:everything|all|orchestrator|orchestration|baton|automation|autonomous|the bot)\b/;
/** The grammar's `resume` switches to scheduled mode. */
const RESUME = /\b(?:resume|unpause|un-pause|unfreeze|carry on|start again)\b/;

export const orchestratorMode: IntentRule = (u) => {
  const explicit = (SET_MODE.test(u.plain) ? MODE_NAME.exec(u.plain) : null) ?? SWITCH_MODE.exec(u.plain);
  const pause = PAUSE.exec(u.plain);
  const resume = RESUME.exec(u.plain);
  const found = explicit ?? pause ?? resume;
  if (!found) return null;
  const named = explicit?.[1];
  const mode = named !== undefined && isMode(named) ? named : pause ? "paused" : "scheduled";
  const command = { type: "orchestrator.mode", mode } as const;
  const confidence = isNegated(u.plain, found.index) ? GUESS : explicit ? SURE : LIKELY;
  return { type: "orchestrator.mode", confidence, command };
};

function isMode(text: string): text is OrchestratorMode {
  return (ORCHESTRATOR_MODES as readonly string[]).includes(text);
}

const STEP =
  /^(?:step|tick)(?: now)?$|\b(?:run|do|take|trigger|perform|execute|force)\b (?:an? |one |the |another |single )*(?:orchestrator |orchestration )?step\b|\bstep now\b|\borchestrator step\b|\b(?:kick|nudge|poke|tick) (?:the )?(?:orchestrator|orchestration)\b/;

/**
 * Said so that it repeats: "every", "each", "hourly", "nightly", a time of day, or "schedule". A
 * "daily digest" or "weekly summary" alone is the digest now ("daily" says what it covers).
 */
const RECURRING =
  /\b(?:every|each|hourly|nightly|weekdays|weekends|everyday|once an?|schedule|automate|set up|setup|on (?:sun|mon|tues|wednes|thurs|fri|satur)days?)\b|\bat \d|\b\d{1,2} ?(?:am|pm)\b|\b(?:noon|midnight)\b/;

/** "every weekday at 9", "hourly": the request is to schedule it, not to do it now. */
export function repeats(plain: string): boolean {
  return RECURRING.test(plain) && cronFromWords(plain) !== null;
}

export const orchestratorStep: IntentRule = (u) =>
  STEP.test(u.plain) && !repeats(u.plain)
    ? { type: "orchestrator.step", confidence: LIKELY, command: { type: "orchestrator.step" } }
    : null;

const DELETE_VERB =
  /\b(?:delete|remove|drop|clear|cancel|unschedule|wipe|kill|stop|disable|purge|erase|destroy|get rid of|turn off)\b/;
const SCHEDULE_LIST =
  /^schedules?$|\b(?:whats|what is|what are|anything|is anything|what gets|what will be) (?:\w+ ){0,2}(?:scheduled|planned)\b|\bschedules\b|\b(?:list|show|upcoming|next|any|see|view|all|our|the) (?:\w+ )?schedules?\b|\bon the schedule\b|\bwhen is the next\b|\bcron(?:s| jobs?)\b|\b(?:set to run|scheduled to run|runs?) (?:automatically|on (?:its|their) own|by itself)\b/;

export const scheduleList: IntentRule = (u) =>
  SCHEDULE_LIST.test(u.plain) && !DELETE_VERB.test(u.plain) && !/\bevery\b/.test(u.plain)
    ? { type: "schedule.list", confidence: LIKELY, command: { type: "schedule.list" } }
    : null;

/** Schedule ids are only ever taken as typed: "delete every schedule" never guesses one. */
const SCHEDULE_ID =
  /(?<![\w.-])(sch_[A-Za-z0-9]+)(?![\w-])|\bunschedule\s+([A-Za-z0-9][\w.-]*)|\bschedule\s+(?:id\s+)?([A-Za-z0-9]*(?:\d|_)[\w.-]*)/i;

export const scheduleDelete: IntentRule = (u, context) => {
  const verb = DELETE_VERB.exec(u.plain);
  if (!verb || !/\bschedul|\bsch_/.test(u.plain)) return null;
  const id = SCHEDULE_ID.exec(u.text)
    ?.slice(1)
    .find((group) => group !== undefined);
  const suggestions = [exampleFor("schedule.list", context), exampleFor("schedule.delete", context)];
  if (id === undefined || NOT_A_NAME.has(id.toLowerCase()))
    return { type: "schedule.delete", confidence: GUESS, suggestions };
  const command = { type: "schedule.delete", schedule: id } as const;
  return { type: command.type, confidence: isNegated(u.plain, verb.index) ? GUESS : LIKELY, command };
};

const QUOTED_CRON = /\bschedule\s+"([^"]+)"\s+([\w.:-]+)(?:\s+(<#[^<>]+>|#[\w-]+))?/i;
const SCHEDULE_WORDS = /\b(?:schedule|every|each|daily|weekly|hourly|nightly|weekdays?|cron)\b/;

/** A quoted cron is taken as typed; anything vaguer ("every morning") gets the grammar as a hint. */
export const scheduleCreate: IntentRule = (u, context) => {
  const typed = QUOTED_CRON.exec(u.text);
  if (typed?.[1] && typed[2]) {
    const confidence = isNegated(u.plain, u.plain.indexOf("schedule")) ? GUESS : SURE;
    return { type: "schedule.create", confidence, command: cronCommand(typed, u.text) };
  }
  const when = RECURRING.test(u.plain) && REPEATS.test(u.plain) ? cronFromWords(u.plain) : null;
  if (when) {
    const action = scheduledAction(u.plain, u.text, context);
    if (action) {
      const target = CHANNEL.exec(u.text)?.[1];
      const command: Command = {
        type: "schedule.create",
        cron: when.cron,
        ...action,
        ...(target === undefined ? {} : { target }),
      };
      return { type: "schedule.create", confidence: isNegated(u.plain, 0) ? GUESS : SURE, command };
    }
  }
  const vague =
    (/\bschedule\b/.test(u.plain) && SCHEDULE_WORDS.test(u.plain.replace(/\bschedule\b/, ""))) ||
    (when !== null && /\b(?:schedule|automate|set up|setup)\b/.test(u.plain));
  return vague
    ? { type: "schedule.create", confidence: UNSURE, suggestions: [exampleFor("schedule.create", context)] }
    : null;
};

const DIGEST_ACTION = /\b(?:digest|summary|recap|report|roundup|round up|tl ?dr|status update)\b/;
const STEP_ACTION = /\b(?:orchestrator|orchestration) step\b|\b(?:run|do|take) (?:an? |one )?step\b|\btick\b/;

/** What a repeating request asks to run: the digest, an orchestrator step, or a workflow with its inputs. */
function scheduledAction(
  plain: string,
  text: string,
  context: RouteContext,
): { action: string; input?: Record<string, string> } | null {
  const workflow = context.workflows.find((hint) =>
    new RegExp(`(?<![\\w-])${escapeRegExp(hint.name)}(?![\\w-])`).test(plain),
  );
  if (workflow) {
    // The schedule's own words are not the workflow's input ("for Ada every monday" → Ada).
    const { input, missing } = collectInput(withoutWhen(text), workflow);
    if (missing.length > 0) return null;
    return Object.keys(input).length === 0 ? { action: workflow.name } : { action: workflow.name, input };
  }
  if (DIGEST_ACTION.test(plain)) return { action: "digest" };
  if (STEP_ACTION.test(plain)) return { action: "orchestrator.step" };
  return null;
}

/** The words that say when ("every monday", "at 10am", "hourly"), each bounded: removed in one linear pass. */
const WHEN_WORDS =
  /\b(?:every|each|on)(?: other)? (?:\d{1,2} ?(?:minutes?|mins?|hours?|hrs?)|day|night|morning|evening|week|weekday|hour|(?:sun|mon|tues|wednes|thurs|fri|satur)day)s?\b|\b(?:at|@) ?\d{1,2}(?::\d{2})? ?(?:am|pm)?\b|\b\d{1,2}(?::\d{2})? ?(?:am|pm)\b|\b(?:daily|weekly|hourly|nightly|weekdays|weekends|at noon|at midnight|noon|midnight)\b/gi;

/** Text without its "every monday at 10am", so an input ("for Ada") does not swallow it. */
function withoutWhen(text: string): string {
  return text.replace(WHEN_WORDS, " ").replace(/\s+/g, " ").trim();
}

/** `key=value` after the action is the scheduled workflow's input, as in the grammar; `tz=` is the time zone. */
const PAIR = /(?<=\s)([A-Za-z_][\w.-]*)=(?:"([^"]*)"|(\S+))/g;

function cronCommand(typed: RegExpExecArray, text: string): Command {
  const after = text.slice(typed.index + typed[0].length);
  const pairs = Array.from(after.matchAll(PAIR), (m): [string, string] => [m[1] ?? "", m[2] ?? m[3] ?? ""]);
  const tz = pairs.find(([key]) => key.toLowerCase() === "tz")?.[1];
  const input = Object.fromEntries(pairs.filter(([key]) => key.toLowerCase() !== "tz"));
  return {
    type: "schedule.create",
    cron: typed[1] ?? "",
    action: typed[2] ?? "",
    ...(typed[3] === undefined ? {} : { target: typed[3] }),
    ...(tz === undefined || tz === "" ? {} : { tz }),
    ...(Object.keys(input).length === 0 ? {} : { input }),
  };
}

const CHANNEL = /(<#[A-Za-z0-9]+(?:\|[^<>]*)?>|(?<![\w&])#[\w-]+)/;
/** "post the digest", "digest", "send a summary to #ops": a verb, later "digest"; or a report to a channel. */
const DIGEST_VERB = /\b(?:post|send|share|compose|publish|make|generate|run|do|drop|write|create|give me|produce)\b/g;
const DIGEST_WORD = /\bdigest\b/g;
const DIGEST_FIRST = /^(?:the |a )?(?:status )?digest\b/;
const SHARE_VERB = /\b(?:post|send|share)\b/g;
const REPORT_WORD = /\b(?:status update|summary|report)\b/g;
const CHANNEL_MARK = /#/g;

/** A summary of a stretch of time: "daily summary", "recap of today", "tl;dr for today", "what happened overnight". */
const DIGEST_OF_TIME =
  /\b(?:(?:daily|weekly|todays|yesterdays|this weeks|the days|the weeks|morning|evening|end of day) (?:digest|summary|recap|roundup|round up|report|rundown)|(?:digest|summary|recap|roundup|rundown|tl ?dr)(?: of| for) (?:today|the day|the week|this week|yesterday|the last \d+ ?(?:hours?|days?))|summari[sz]e (?:the |to|this )?(?:day|week|today)|what happened (?:in the last \d+ ?(?:hours?|h|days?)|today|yesterday|this week|overnight))\b|^(?:daily |weekly )?digest\b/;

function asksForDigest(plain: string): boolean {
  return (
    DIGEST_FIRST.test(plain) ||
    DIGEST_OF_TIME.test(plain) ||
    inOrder(plain, [DIGEST_VERB, DIGEST_WORD]) !== null ||
    inOrder(plain, [SHARE_VERB, REPORT_WORD, CHANNEL_MARK]) !== null
  );
}

export const digest: IntentRule = (u) => {
  if (!asksForDigest(u.plain) || repeats(u.plain) || /\bschedul|\bcron\b/.test(u.plain)) return null;
  const channel = CHANNEL.exec(u.text)?.[1];
  const command: Command = channel === undefined ? { type: "digest" } : { type: "digest", channel };
  return { type: "digest", confidence: LIKELY, command };
};
