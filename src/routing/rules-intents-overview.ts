import type { Command, CommandType } from "../commands/commands.js";
import { countIn, NOT_A_NAME } from "./rules-text.js";
import { type IntentRule, LIKELY, type Match, PLAUSIBLE, SURE } from "./rules-types.js";
import type { RouteContext } from "./types.js";

/** Read-only intents: status, help, history. Getting one of these wrong costs a reply, never an action. */

const MENTIONS_EXECUTION = /\bex_[a-z0-9]|\b(?:runs|executions)\b/;

/** Cues and how sure each makes us, strongest first. */
const STATUS_CUES: ReadonlyArray<readonly [RegExp, number]> = [
  [/^(?:status|state|overview|sitrep|health|dashboard|status (?:update|report|check))$/, SURE],
  [
    /\b(?:whats|what is|what are|anything|something|is anything|are any|whos|who is) (?:currently |still |now )?(?:running|going on|happening|in progress|in flight|active|up)\b/,
    LIKELY,
  ],
  [/\bhow(?:s| is| are) (?:things|everything|it going|stuff|we doing|we looking|it looking)\b/, LIKELY],
  [
    /\b(?:state of (?:things|affairs|play)|current state|hows (?:baton|the bot|the orchestrator) (?:doing|going))\b/,
    LIKELY,
  ],
  [
    /\b(?:whats|what is|what are|anything|is anything|who is|whos) (?:\w+ ){0,2}(?:waiting|pending|blocked|stuck)\b/,
    LIKELY,
  ],
  [
    /\b(?:pending|open|outstanding) approvals?\b|\b(?:needs?|awaiting|waiting (?:for|on)) (?:my |an |your )?approval\b/,
    LIKELY,
  ],
  [/\b(?:is|are) (?:everything|we|things|all) (?:ok|okay|fine|good|alright|healthy|green)\b/, LIKELY],
  [/\b(?:what|which) mode\b/, LIKELY],
  [/\bstatus\b/, PLAUSIBLE],
];

export const status: IntentRule = (u) => {
  if (/\bex_[a-z0-9]/.test(u.plain)) return null;
  const cue = STATUS_CUES.find(([pattern]) => pattern.test(u.plain));
  if (cue === undefined) return null;
  const confidence = MENTIONS_EXECUTION.test(u.plain) ? Math.min(cue[1], PLAUSIBLE) : cue[1];
  return { type: "status", confidence, command: { type: "status" } };
};

const HELP_ALONE = /^(?:help|help me|halp|usage|commands|menu|options|\?+)$/;
const CAPABILITIES =
  /\bwhat are you (?:for|good for)\b|\b(?:list of|all the|all your|your) commands\b|\bim new (?:here|to this)\b|\bwhat (?:else )?(?:can|do|could) (?:you|u|baton) do\b|\bwhat (?:are|r) (?:your|the|ur) (?:commands|options)\b|\bhow does (?:this|baton|it|the bot) work\b|\bwho are you\b|\bwhat (?:can|could|should) i (?:ask|say|type)\b|\bwhat do you (?:do|support)\b|\b(?:what|which) commands (?:are there|exist|do you (?:have|know|support|understand)|can i (?:use|type))\b|\bhow (?:do i|to) (?:use (?:this|you|baton)|get started|start)$/;
const HOW_TO = /\bhow (?:do|can|would|should|to|does one) (?:i |we |you |one )?(.*)$/;

/** Help topics are command types; the first cue that matches names the topic. */
const HELP_TOPICS: ReadonlyArray<readonly [RegExp, CommandType]> = [
  [/\broll ?back|\brevert/, "workflow.rollback"],
  [/\bapprov/, "execution.approve"],
  [/\breject|\bdeny/, "execution.reject"],
  [/\bcancel|\babort/, "execution.cancel"],
  [/\bunschedul|\b(?:delete|remove) (?:a |the )?schedul/, "schedule.delete"],
  [/\bschedul/, "schedule.create"],
  [/\bspawn|\bagents?\b/, "agent.spawn"],
  [/\bretire/, "agent.retire"],
  [/\bdigest/, "digest"],
  [/\bbudget|\bspend|\bcosts?\b/, "budget.show"],
  [/\bhistory|\baudit/, "history"],
  [/\bpause|\bresume|\bmode\b/, "orchestrator.mode"],
  [/\bask\b|\bquestions?\b/, "ask"],
  [/\bimprove|\bfeedback/, "improve"],
  [/\bruns\b|\bexecutions?\b/, "execution.list"],
  [/\b(?:run|start|launch|trigger|kick off|execute)\b/, "workflow.run"],
  [/\bworkflows?\b/, "workflow.list"],
  [/\bstatus\b/, "status"],
];

export const help: IntentRule = (u) => {
  if (HELP_ALONE.test(u.plain) || CAPABILITIES.test(u.plain)) return helpMatch(SURE);
  const howTo = HOW_TO.exec(u.plain)?.[1];
  // "how should we think about retries?" asks for judgement (an agent), not how to use baton.
  if (howTo !== undefined && topicOf(howTo) === undefined && /\bhow should we\b/.test(u.plain)) return null;
  if (howTo !== undefined) return helpMatch(topicOf(howTo) === undefined ? PLAUSIBLE : SURE, topicOf(howTo));
  // "spawn a writer to help with the post": help as a purpose, not a request for it.
  if (/\b(?:to|will|can|could|would|might) help\b/.test(u.plain)) return null;
  return /\bhelp\b/.test(u.plain) ? helpMatch(LIKELY, topicOf(u.plain.replace(/\bhelp\b/, ""))) : null;
};

function topicOf(text: string): CommandType | undefined {
  return HELP_TOPICS.find(([cue]) => cue.test(text))?.[1];
}

function helpMatch(confidence: number, topic?: string): Match {
  return { type: "help", confidence, command: topic === undefined ? { type: "help" } : { type: "help", topic } };
}

const HISTORY_CUES: ReadonlyArray<readonly [RegExp, number]> = [
  [/\b(?:history|audit(?: log| trail)?|activity log)\b/, LIKELY],
  [/\b(?:recent|last|latest|previous|past|my) (?:\w+ ){0,2}(?:commands?|requests?|actions|activity|entries)\b/, LIKELY],
  [/\b(?:commands?|requests|actions|activity) (?:from|by|of|for) \S/, LIKELY],
  [/\bwhat (?:did|has|have) \S+ (?:do|done|run|ran|been|asked|requested|typed)\b/, LIKELY],
  [/\bwhat (?:commands?|requests) (?:did|has|have) \S/, LIKELY],
  [/\b(?:things|stuff) (?:people|everyone|folks|someone|we|you) (?:did|ran|asked|requested|have done)\b/, LIKELY],
  [/\bwho (?:did|ran|has run|has done) (?:what|stuff|things|anything)\b/, LIKELY],
  [/\bwhat (?:happened|went on)\b/, PLAUSIBLE],
];

/** Who the history is about, as typed: a Slack/Discord mention keeps its id, like the grammar does. */
const HISTORY_USER: readonly RegExp[] = [
  /\bwhat (?:did|has|have) (<@!?[A-Za-z0-9]+(?:\|[^<>]*)?>|@?[\w.-]+) (?:do|done|run|ran|been)\b/i,
  /\b(?:history|commands?|requests|actions|activity) (?:for|of|by|from) (<@!?[A-Za-z0-9]+(?:\|[^<>]*)?>|@?[\w.-]+)/i,
  /(?:^|\s)@?([\w.-]+)'s (?:\w+ ){0,3}?(?:history|commands?|requests|actions|activity|recent)\b/i,
  /\b(my) (?:\w+ ){0,2}(?:history|commands?|requests|actions|activity)\b/i,
  /<@!?([A-Za-z0-9]+)(?:\|[^<>]*)?>|(?:^|\s)@([\w.-]+)/,
];
const SELF = new Set(["i", "me", "my", "mine", "myself"]);

export const history: IntentRule = (u, context) => {
  if (/\bex_[a-z0-9]/.test(u.plain)) return null;
  const cue = HISTORY_CUES.find(([pattern]) => pattern.test(u.plain));
  if (cue === undefined) return null;
  const limit = countIn(u.plain);
  const user = historyUser(u.text, context);
  const command: Command = {
    type: "history",
    ...(limit === undefined ? {} : { limit }),
    ...(user === undefined ? {} : { user }),
  };
  return { type: "history", confidence: cue[1], command };
};

function historyUser(text: string, context: RouteContext): string | undefined {
  for (const pattern of HISTORY_USER) {
    const match = pattern.exec(text);
    const typed = match?.slice(1).find((group) => group !== undefined);
    if (typed === undefined) continue;
    const name = typed.replace(/^<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>$/, "$1").replace(/^@/, "");
    if (SELF.has(name.toLowerCase())) return context.actorName;
    if (!NOT_A_NAME.has(name.toLowerCase())) return name;
  }
  return undefined;
}

/** "show me the improvement proposals", "which proposals are still waiting", "proposals applied". */
const PROPOSALS = /\b(?:improvement )?proposals?\b|\bimprovements? (?:proposed|suggested|waiting)\b/;
const PROPOSAL_STATUS: ReadonlyArray<readonly [RegExp, "proposed" | "applied" | "discarded"]> = [
  [/\b(?:waiting|open|pending|undecided|proposed)\b/, "proposed"],
  [/\bapplied\b/, "applied"],
  [/\bdiscarded\b/, "discarded"],
];

export const proposalList: IntentRule = (u) => {
  if (!PROPOSALS.test(u.plain) || /\b(?:apply|discard|approve|reject)\b/.test(u.plain)) return null;
  const status = PROPOSAL_STATUS.find(([cue]) => cue.test(u.plain))?.[1];
  const command: Command = { type: "proposal.list", ...(status !== undefined && { status }) };
  return { type: "proposal.list", confidence: LIKELY, command };
};
