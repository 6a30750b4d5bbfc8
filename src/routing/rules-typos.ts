import { editDistance } from "../did-you-mean.js";

/**
 * Slips of the fingers on the words the intent rules cue on ("shwo runs", "aprove ex_12",
 * "orchestartor", "healtcheck"), fixed before any rule looks. Two layers: a table of slips too
 * short to guess safely, and a nearest-word match against the rules' own vocabulary (and the
 * workflow names in the catalog) that only ever turns a word that is not a cue into the one cue it
 * is one slip from: two letters swapped for a 4-letter word, one edit from 5 letters, two edits
 * from 10. A word that is itself a cue, a common word, or as near to two cues is left as typed.
 */

const TYPOS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    show: ["shwo", "sohw", "hsow"],
    status: ["stauts", "staus", "statsu", "sttaus"],
    happening: ["hapening", "happenning", "hapenning"],
    workflow: ["wrokflow", "worflow", "workfow", "workflwo"],
    workflows: ["wrokflows", "worflows", "workfows", "workflwos"],
    run: ["rnu"],
    ask: ["aks", "aslk"],
    runs: ["rnus"],
    approve: ["aprove", "approev", "apporve", "aproove"],
    reject: ["rejct", "reejct", "rejcet"],
    cancel: ["cancle", "cancell", "cacnel"],
    history: ["histroy", "hsitory", "hisotry"],
    schedule: ["scheudle", "shedule", "schedual", "scheduel"],
    schedules: ["scheudles", "shedules", "schedlues"],
    budget: ["budegt", "budgte", "buget"],
    agents: ["agnets", "agetns"],
    spawn: ["spwan", "sapwn"],
    pause: ["pasue", "puase"],
    resume: ["resmue", "reusme"],
    digest: ["digset", "diegst", "digets"],
    rollback: ["rolback", "rollbakc"],
    executions: ["excutions", "exectuions", "executons"],
  }).flatMap(([word, typos]) => typos.map((typo) => [typo, word] as const)),
);

/** The words the intent rules cue on: a word one slip away from exactly one of these is that word. */
const CUES: readonly string[] = [
  // overview
  "status",
  "running",
  "happening",
  "anything",
  "something",
  "everything",
  "overview",
  "progress",
  "flight",
  "help",
  "commands",
  "command",
  "options",
  "usage",
  "history",
  "activity",
  "recent",
  "latest",
  "previous",
  "requests",
  "actions",
  "audit",
  // workflows and runs
  "workflow",
  "workflows",
  "pipeline",
  "pipelines",
  "runs",
  "execution",
  "executions",
  "launch",
  "trigger",
  "execute",
  "start",
  "kick",
  "rollback",
  "revert",
  "version",
  "versions",
  "describe",
  "definition",
  "approve",
  "approved",
  "reject",
  "rejected",
  "decline",
  "cancel",
  "abort",
  "terminate",
  "failed",
  "failing",
  "succeeded",
  "waiting",
  "pending",
  "approval",
  "approvals",
  "interrupted",
  // control plane
  "digest",
  "summary",
  "summarize",
  "recap",
  "report",
  "budget",
  "budgets",
  "spend",
  "spending",
  "costs",
  "limit",
  "limits",
  "orchestrator",
  "continuous",
  "continuously",
  "scheduled",
  "manual",
  "mode",
  "pause",
  "paused",
  "resume",
  "unpause",
  "schedule",
  "schedules",
  "scheduling",
  "unschedule",
  "delete",
  "remove",
  "every",
  "daily",
  "weekly",
  "hourly",
  "nightly",
  "weekday",
  "weekdays",
  "morning",
  "evening",
  // agents and feedback
  "agent",
  "agents",
  "spawn",
  "retire",
  "specialist",
  "question",
  "improve",
  "feedback",
  "should",
  // access
  "access",
  "grant",
  "revoke",
  "permissions",
  "permission",
  "roles",
  "admin",
  "admins",
  "operator",
  "operators",
  "approver",
  "approvers",
  "viewer",
  "viewers",
  "whoami",
  "link",
  "unlink",
  "account",
  "accounts",
  "identity",
  "disconnect",
  "connect",
  "stop",
  "step",
  "send",
  "post",
  "ask",
  "kill",
  "ahead",
  "proceed",
  // verbs everything shares
  "show",
  "list",
];

/** Common words that are one slip from a cue but mean themselves ("later" is not "latest"). */
const COMMON = new Set([
  "about",
  "speed",
  "spent",
  "stand",
  "light",
  "slight",
  "flights",
  "sending",
  "lending",
  "bending",
  "mending",
  "tending",
  "vending",
  "falling",
  "filling",
  "calling",
  "mailing",
  "sailing",
  "tailing",
  "nailing",
  "filed",
  "fated",
  "mailed",
  "hailed",
  "cunning",
  "gunning",
  "ruining",
  "decent",
  "resent",
  "regent",
  "latent",
  "paunch",
  "eject",
  "cancer",
  "commend",
  "commends",
  "potions",
  "auctions",
  "factions",
  "statue",
  "summery",
  "witch",
  "annual",
  "mutual",
  "sadly",
  "dairy",
  "cause",
  "rolls",
  "holes",
  "poles",
  "coats",
  "casts",
  "hosts",
  "smart",
  "stare",
  "adult",
  "adults",
  "giant",
  "argent",
  "remote",
  "delta",
  "baiting",
  "waiving",
  "persons",
  "later",
  "state",
  "stats",
  "starts",
  "stare",
  "stark",
  "shown",
  "shows",
  "lists",
  "links",
  "liked",
  "lines",
  "rules",
  "roses",
  "modes",
  "model",
  "notes",
  "there",
  "where",
  "these",
  "those",
  "three",
  "their",
  "every",
  "event",
  "events",
  "even",
  "ever",
  "start",
  "stars",
  "stack",
  "check",
  "checks",
  "reset",
  "rest",
  "agenda",
  "agent",
  "sound",
  "could",
  "would",
  "should",
  "shoulder",
  "pending",
  "spent",
  "spends",
  "limited",
  "version",
  "costs",
  "posts",
  "post",
  "ports",
  "report",
  "reports",
  "export",
  "import",
  "remote",
  "remove",
  "removed",
  "reboot",
  "summer",
  "summit",
  "manually",
  "daily",
  "dairy",
  "diary",
  "whats",
  "thats",
  "hats",
  "with",
  "digits",
  "delta",
  "deleted",
  "paste",
  "pauses",
  "causes",
  "cause",
  "access",
  "assess",
  "across",
  "actions",
  "options",
  "motions",
  "question",
  "questions",
  "accounts",
  "amounts",
  "admit",
  "admin",
  "grand",
  "grants",
  "launch",
  "lunch",
  "launched",
  "punch",
  "runs",
  "rune",
  "urns",
  "ruins",
  "latest",
  "listen",
  "tests",
  "summaries",
]);

const FIXABLE = new Set(CUES);
/** Longer than any cue by more than two letters: never a slip of one, and keeps the work per word bounded. */
const MAX_WORD = 16;

/** Endings that make another form of a cue ("specialists", "retired", "approving"): not slips. */
const INFLECTIONS = ["s", "es", "d", "ed", "ing", "r", "er", "ers", "ly"];

function inflected(word: string, cues: readonly string[]): boolean {
  return cues.some(
    (cue) =>
      (word.startsWith(cue) && INFLECTIONS.includes(word.slice(cue.length))) ||
      (cue.startsWith(word) && INFLECTIONS.includes(cue.slice(word.length))),
  );
}

/** The cue `word` is a slip of, if exactly one is near enough; undefined otherwise. */
function nearestCue(word: string, cues: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  if (lower.length < 4 || lower.length > MAX_WORD || FIXABLE.has(lower) || COMMON.has(lower)) return undefined;
  if (inflected(lower, cues)) return undefined;
  const allowed = lower.length >= 10 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = allowed + 1;
  let tie = false;
  for (const cue of cues) {
    if (Math.abs(cue.length - lower.length) > allowed || cue.length < 4) continue;
    const d = editDistance(lower, cue);
    // A 4-letter word is fixed only when two neighbouring letters were swapped ("hlep", "lnik").
    if (lower.length === 4 && !(d === 1 && cue.length === 4 && swapped(lower, cue))) continue;
    if (d < bestDistance) {
      best = cue;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance && cue !== best) tie = true;
  }
  return best !== undefined && bestDistance <= allowed && !tie ? best : undefined;
}

function swapped(a: string, b: string): boolean {
  const i = [...a].findIndex((char, index) => char !== b[index]);
  return i >= 0 && i < a.length - 1 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

/** A bare word: not part of an id, a URL, a mention, a channel or a `key=value` pair. */
const WORD = /(?<![\w@#./:=-])[A-Za-z]+(?![\w./:=-])/g;

/** `text` with slips on cue words fixed; `names` are more words to fix towards (workflow names). */
export function withTyposFixed(text: string, names: readonly string[] = []): string {
  const plainNames = names.filter((name) => /^[a-z]+$/.test(name));
  const cues = plainNames.length === 0 ? CUES : [...CUES, ...plainNames];
  // A word is looked up once per message, however often it is repeated.
  const seen = new Map<string, string>();
  return text.replace(WORD, (word) => {
    const known = seen.get(word);
    if (known !== undefined) return known;
    const fixed = TYPOS.get(word.toLowerCase()) ?? nearestCue(word, cues) ?? nearestName(word, plainNames) ?? word;
    seen.set(word, fixed);
    return fixed;
  });
}

/** A catalog name of 5 letters or more is also reached by one letter dropped or doubled ("helo"). */
function nearestName(word: string, names: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  if (lower.length !== 4 || COMMON.has(lower)) return undefined;
  const near = names.filter((name) => name.length === 5 && editDistance(lower, name) === 1);
  return near.length === 1 ? near[0] : undefined;
}
