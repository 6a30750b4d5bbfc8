/**
 * Slips of the fingers on the words the intent rules cue on ("shwo runs", "aprove ex_12"), fixed
 * before any rule looks. A fixed table rather than fuzzy matching, so a typo never turns into a
 * different command than the one it spells; and only inside a longer message: a lone misspelled
 * word ("stauts") is answered with suggestions, since nothing else in it confirms the guess.
 */

const TYPOS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    show: ["shwo", "sohw", "hsow"],
    status: ["stauts", "staus", "statsu", "sttaus"],
    happening: ["hapening", "happenning", "hapenning"],
    workflow: ["wrokflow", "worflow", "workfow", "workflwo"],
    workflows: ["wrokflows", "worflows", "workfows", "workflwos"],
    run: ["rnu"],
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

/** A bare word: not part of an id, a URL, a mention, a channel or a `key=value` pair. */
const WORD = /(?<![\w@#./:=-])[A-Za-z]+(?![\w./:=-])/g;

export function withTyposFixed(text: string): string {
  if (!/\S\s+\S/.test(text)) return text;
  return text.replace(WORD, (word) => TYPOS.get(word.toLowerCase()) ?? word);
}
