import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Command, EXECUTION_STATUSES } from "../../src/commands/commands.js";
import { closest, editDistance } from "../../src/did-you-mean.js";
import { GRAMMAR_VERBS, type GrammarResult, parseCommandText } from "../../src/routing/grammar.js";
import { tokenize } from "../../src/routing/tokenize.js";

const command = (value: Command): GrammarResult => ({ kind: "command", command: value });

describe("parseCommandText: commands", () => {
  const cases: Array<[string, Command]> = [
    ["/orchestrate", { type: "help" }],
    ["   /Orchestrate   ", { type: "help" }],
    ["/orchestrate help", { type: "help" }],
    ["/orchestrate ?", { type: "help" }],
    ["/orchestrate help run", { type: "help", topic: "run" }],
    ["/orchestrate status", { type: "status" }],
    ["/ORCHESTRATE Status", { type: "status" }],
    ["/orchestrate status?", { type: "status" }],
    ["/orchestrate\tstatus", { type: "status" }],
    ["/orchestrate history", { type: "history" }],
    ["/orchestrate history 5", { type: "history", limit: 5 }],
    ["/orchestrate log 10 @ada", { type: "history", limit: 10, user: "ada" }],
    ["/orchestrate audit @ada 3", { type: "history", limit: 3, user: "ada" }],
    ["/orchestrate history user=@ada", { type: "history", user: "ada" }],
    ["/orchestrate history 2 user=grace", { type: "history", limit: 2, user: "grace" }],
    ["/orchestrate history <@U123|ada>", { type: "history", user: "U123" }],
    ["/orchestrate workflows", { type: "workflow.list" }],
    ["/orchestrate wf", { type: "workflow.list" }],
    ["/orchestrate workflow list", { type: "workflow.list" }],
    ["/orchestrate workflow", { type: "workflow.list" }],
    ["/orchestrate workflow hello", { type: "workflow.show", workflow: "hello" }],
    // Noun-verb forms stand for the grammar's own verbs.
    ["/orchestrate workflow run hello name=Ada", { type: "workflow.run", workflow: "hello", input: { name: "Ada" } }],
    ["/orchestrate workflow show hello", { type: "workflow.show", workflow: "hello" }],
    ["/orchestrate workflows list", { type: "workflow.list" }],
    ["/orchestrate execution show ex_12", { type: "execution.show", execution: "ex_12" }],
    ["/orchestrate executions list", { type: "execution.list" }],
    ["/orchestrate execution cancel ex_12", { type: "execution.cancel", execution: "ex_12" }],
    ["/orchestrate agent list", { type: "agent.list" }],
    ["/orchestrate schedule list", { type: "schedule.list" }],
    ["/orchestrate schedule delete sch_1", { type: "schedule.delete", schedule: "sch_1" }],
    ["/orchestrate budget show", { type: "budget.show" }],
    ["/orchestrate show hello", { type: "workflow.show", workflow: "hello" }],
    ["/orchestrate show ex_12", { type: "execution.show", execution: "ex_12" }],
    ["/orchestrate run hello name=Ada", { type: "workflow.run", workflow: "hello", input: { name: "Ada" } }],
    ["/orchestrate run hello", { type: "workflow.run", workflow: "hello", input: {} }],
    ["/orchestrate start hello a=1 b=2", { type: "workflow.run", workflow: "hello", input: { a: "1", b: "2" } }],
    ["/orchestrate exec hello", { type: "workflow.run", workflow: "hello", input: {} }],
    ["/orchestrate EXECUTE hello", { type: "workflow.run", workflow: "hello", input: {} }],
    [
      "/orchestrate run hello name=\"Ada Lovelace\" greeting='hi there' note=“so curly”",
      {
        type: "workflow.run",
        workflow: "hello",
        input: { name: "Ada Lovelace", greeting: "hi there", note: "so curly" },
      },
    ],
    [
      '/orchestrate run hello msg="say \\"hi\\" \\\\ bye"',
      { type: "workflow.run", workflow: "hello", input: { msg: 'say "hi" \\ bye' } },
    ],
    [
      "/orchestrate run healthcheck urls=https://api.example.com/?a=b",
      { type: "workflow.run", workflow: "healthcheck", input: { urls: "https://api.example.com/?a=b" } },
    ],
    ["/orchestrate rollback hello 2", { type: "workflow.rollback", workflow: "hello", version: 2 }],
    ["/orchestrate rollback hello v2", { type: "workflow.rollback", workflow: "hello", version: 2 }],
    ["/orchestrate rollback hello V3", { type: "workflow.rollback", workflow: "hello", version: 3 }],
    ["/orchestrate runs", { type: "execution.list" }],
    ["/orchestrate runs failed", { type: "execution.list", status: "failed" }],
    ["/orchestrate runs 5", { type: "execution.list", limit: 5 }],
    ["/orchestrate runs failed 5", { type: "execution.list", status: "failed", limit: 5 }],
    ["/orchestrate runs 5 FAILED", { type: "execution.list", status: "failed", limit: 5 }],
    ["/orchestrate executions waiting", { type: "execution.list", status: "waiting" }],
    ["/orchestrate approve ex_1", { type: "execution.approve", execution: "ex_1" }],
    ["/orchestrate ok ex_1", { type: "execution.approve", execution: "ex_1" }],
    ["/orchestrate lgtm ex_1 ship it", { type: "execution.approve", execution: "ex_1", note: "ship it" }],
    ['/orchestrate approve ex_1 "looks good"', { type: "execution.approve", execution: "ex_1", note: "looks good" }],
    [
      "/orchestrate reject ex_1 not now, see #ops",
      { type: "execution.reject", execution: "ex_1", note: "not now, see #ops" },
    ],
    ["/orchestrate deny ex_1", { type: "execution.reject", execution: "ex_1" }],
    ["/orchestrate cancel ex_1", { type: "execution.cancel", execution: "ex_1" }],
    ["/orchestrate stop ex_1", { type: "execution.cancel", execution: "ex_1" }],
    ["/orchestrate abort ex_1", { type: "execution.cancel", execution: "ex_1" }],
    ["/orchestrate ask what's failing?", { type: "ask", question: "what's failing?" }],
    ["/orchestrate ask why did it fail specialty=ops", { type: "ask", question: "why did it fail", specialty: "ops" }],
    ["/orchestrate ask does retries=3 help", { type: "ask", question: "does retries=3 help" }],
    ["/orchestrate agents", { type: "agent.list" }],
    ["/orchestrate spawn security", { type: "agent.spawn", specialty: "security" }],
    [
      "/orchestrate spawn security audit the deps",
      { type: "agent.spawn", specialty: "security", context: "audit the deps" },
    ],
    ["/orchestrate retire ag_1", { type: "agent.retire", agent: "ag_1" }],
    ["/orchestrate step", { type: "orchestrator.step" }],
    ["/orchestrate mode continuous", { type: "orchestrator.mode", mode: "continuous" }],
    ["/orchestrate mode Manual", { type: "orchestrator.mode", mode: "manual" }],
    ["/orchestrate pause", { type: "orchestrator.mode", mode: "paused" }],
    ["/orchestrate resume", { type: "orchestrator.mode", mode: "scheduled" }],
    ["/orchestrate schedules", { type: "schedule.list" }],
    [
      '/orchestrate schedule "0 9 * * 1-5" digest #ops tz=Europe/Berlin',
      { type: "schedule.create", cron: "0 9 * * 1-5", action: "digest", target: "#ops", tz: "Europe/Berlin" },
    ],
    ["/orchestrate schedule '*/5 * * * *' digest", { type: "schedule.create", cron: "*/5 * * * *", action: "digest" }],
    [
      "/orchestrate schedule “0 8 * * *” run:hello <#C123|ops> name=Ada",
      {
        type: "schedule.create",
        cron: "0 8 * * *",
        action: "run:hello",
        target: "<#C123|ops>",
        input: { name: "Ada" },
      },
    ],
    ["/orchestrate schedule @daily digest", { type: "schedule.create", cron: "@daily", action: "digest" }],
    [
      '/orchestrate schedule "0 9 * * 1-5" run hello name=Ada',
      { type: "schedule.create", cron: "0 9 * * 1-5", action: "run:hello", input: { name: "Ada" } },
    ],
    [
      '/orchestrate schedule "0 9 * * 1-5" run hello #ops name=Ada',
      { type: "schedule.create", cron: "0 9 * * 1-5", action: "run:hello", target: "#ops", input: { name: "Ada" } },
    ],
    ["/orchestrate unschedule sch_1", { type: "schedule.delete", schedule: "sch_1" }],
    ["/orchestrate digest", { type: "digest" }],
    ["/orchestrate digest #ops", { type: "digest", channel: "#ops" }],
    ["/orchestrate digest <#C123|ops>", { type: "digest", channel: "<#C123|ops>" }],
    ["/orchestrate budget", { type: "budget.show" }],
    ["/orchestrate budget team", { type: "budget.show", scope: "team" }],
    [
      "/orchestrate budget set team usd=5 tokens=100000 daily=2.5",
      { type: "budget.set", scope: "team", limits: { usd: 5, tokens: 100000, daily: 2.5 } },
    ],
    ["/improve the summary was too long", { type: "improve", feedback: "the summary was too long" }],
    ["/IMPROVE too long ex=ex_3", { type: "improve", feedback: "too long", execution: "ex_3" }],
    ["/improve execution=ex_3 too wordy", { type: "improve", feedback: "too wordy", execution: "ex_3" }],
    ['/improve it said "hello', { type: "improve", feedback: 'it said "hello' }],
    ["/improve run hello name=Ada", { type: "improve", feedback: "run hello name=Ada" }],
  ];

  it.each(cases)("%s", (text, expected) => {
    expect(parseCommandText(text)).toEqual(command(expected));
  });
});

describe("parseCommandText: errors", () => {
  const cases: Array<[string, string, string[]]> = [
    ["/orchestrate stauts", "Unknown command `stauts`. Did you mean `status`?", ["/orchestrate status"]],
    [
      "/orchestrate rnu hello name=Ada",
      "Unknown command `rnu`. Did you mean `run`?",
      ["/orchestrate run hello name=Ada"],
    ],
    ["/orchestrate agnets", "Unknown command `agnets`. Did you mean `agents`?", ["/orchestrate agents"]],
    ["/orchestrate histroy 5", "Unknown command `histroy`. Did you mean `history`?", ["/orchestrate history 5"]],
    ["/orchestrate run", "`run` needs a workflow name. Usage: /orchestrate run <workflow> [key=value…]", []],
    [
      "/orchestrate run hello Ada",
      "Inputs are key=value pairs, e.g. `run hello name=Ada`. Usage: /orchestrate run <workflow> [key=value…]",
      [],
    ],
    ["/orchestrate history 500", "`limit` must be a number between 1 and 100.", []],
    ["/orchestrate runs 0", "`limit` must be a number between 1 and 100.", []],
    ["/orchestrate history ada", "`ada` is not a number. Usage: /orchestrate history [n] [user=@name]", []],
    [
      "/orchestrate runs faild",
      "`faild` is not an execution status. Did you mean `failed`? Usage: /orchestrate runs [status] [n]",
      ["/orchestrate runs failed"],
    ],
    [
      "/orchestrate runs bogus",
      `\`bogus\` is not an execution status. Use one of: ${EXECUTION_STATUSES.join(", ")}. Usage: /orchestrate runs [status] [n]`,
      [],
    ],
    [
      "/orchestrate mode turbo",
      "`turbo` is not a mode. Use one of: manual, scheduled, continuous, paused. Usage: /orchestrate mode <manual|scheduled|continuous|paused> (or pause, resume)",
      [],
    ],
    [
      "/orchestrate mode continous",
      "`continous` is not a mode. Did you mean `continuous`? Usage: /orchestrate mode <manual|scheduled|continuous|paused> (or pause, resume)",
      ["/orchestrate mode continuous"],
    ],
    [
      "/orchestrate rollback hello",
      "`rollback` needs a workflow name and a version. Usage: /orchestrate rollback <workflow> <version>",
      [],
    ],
    [
      "/orchestrate rollback hello latest",
      "`latest` is not a version number. Usage: /orchestrate rollback <workflow> <version>",
      [],
    ],
    ["/orchestrate rollback hello v0", "`version` must be at least 1.", []],
    ["/orchestrate status foo=bar", "`status` does not take a `foo` option.", []],
    ["/orchestrate history limit=5", "`history` does not take a `limit` option.", []],
    ['/orchestrate run hello name="Ada', 'There is an unterminated quote in `"Ada`.', []],
    [
      "/orchestrate budget set team usd=lots",
      "`usd` must be a non-negative number, not `lots`. Usage: /orchestrate budget set <scope> key=value…",
      [],
    ],
    [
      "/orchestrate budget set team usd=-1",
      "`usd` must be a non-negative number, not `-1`. Usage: /orchestrate budget set <scope> key=value…",
      [],
    ],
    [
      "/orchestrate budget set team",
      "`budget set` needs at least one limit, e.g. `usd=5`. Usage: /orchestrate budget set <scope> key=value…",
      [],
    ],
    ["/orchestrate budget set", "`budget set` needs a scope. Usage: /orchestrate budget set <scope> key=value…", []],
    [
      "/orchestrate schedule digest",
      '`schedule` needs a cron expression in quotes first. Usage: /orchestrate schedule "<cron>" <action> [#channel] [tz=Area/City]',
      [],
    ],
    [
      "/orchestrate schedule 0 9 * * 1-5 digest",
      '`schedule` needs a cron expression in quotes first. Usage: /orchestrate schedule "<cron>" <action> [#channel] [tz=Area/City]',
      [],
    ],
    [
      '/orchestrate schedule "0 9 * * *"',
      '`schedule` needs an action after the cron, e.g. `digest`. Usage: /orchestrate schedule "<cron>" <action> [#channel] [tz=Area/City]',
      [],
    ],
    [
      '/orchestrate schedule "0 9 * * *" digest ops',
      '`ops` is not a #channel. Usage: /orchestrate schedule "<cron>" <action> [#channel] [tz=Area/City]',
      [],
    ],
    [
      "/orchestrate digest ops",
      "`ops` is not a #channel. Usage: /orchestrate digest [#channel]",
      ["/orchestrate digest #ops"],
    ],
    ["/orchestrate cancel", "`cancel` needs an execution id. Usage: /orchestrate cancel <execution>", []],
    ["/orchestrate stop", "`stop` needs an execution id. Usage: /orchestrate cancel <execution>", []],
    ["/orchestrate approve", "`approve` needs an execution id. Usage: /orchestrate approve <execution> [note]", []],
    ["/orchestrate deny", "`deny` needs an execution id. Usage: /orchestrate reject <execution> [reason]", []],
    ["/orchestrate retire", "`retire` needs an agent name. Usage: /orchestrate retire <agent>", []],
    ["/orchestrate unschedule", "`unschedule` needs a schedule id. Usage: /orchestrate unschedule <schedule>", []],
    ["/orchestrate show", "`show` needs a workflow name or an execution id. Usage: /orchestrate show <workflow>", []],
    ["/orchestrate ask", "`ask` needs a question. Usage: /orchestrate ask <question>", []],
    ["/orchestrate spawn", "`spawn` needs a specialty. Usage: /orchestrate spawn <specialty> [context]", []],
    ["/orchestrate show héllo", "`workflow` may only contain letters, digits, '_', '-' or '.'.", []],
    [`/orchestrate ask ${"x".repeat(4001)}`, "`question` is too long (4000 max).", []],
    ["/improve", "Tell me what to improve, e.g. `/improve the summary was too long`.", []],
    ["/improve   ex=ex_1  ", "Tell me what to improve, e.g. `/improve the summary was too long`.", []],
    ["/improve too long ex=$$$", "`execution` may only contain letters, digits, '_', '-' or '.'.", []],
  ];

  it.each(cases)("%s", (text, message, suggestions) => {
    expect(parseCommandText(text)).toEqual({ kind: "error", message, suggestions });
  });

  it("suggests every tie when a typo is equally close to several verbs", () => {
    expect(parseCommandText("/orchestrate scheduls")).toEqual({
      kind: "error",
      message: "Unknown command `scheduls`. Did you mean `schedules` or `schedule`?",
      suggestions: ["/orchestrate schedules", "/orchestrate schedule"],
    });
  });

  it("offers suggestions that are themselves understood", () => {
    for (const typo of ["stauts", "agnets", "schedles", "worklfows", "histroy"]) {
      const result = parseCommandText(`/orchestrate ${typo}`);
      if (result.kind !== "error") throw new Error(`expected an error for ${typo}`);
      expect(result.suggestions.length).toBeGreaterThan(0);
      for (const suggestion of result.suggestions) expect(parseCommandText(suggestion).kind).toBe("command");
    }
  });
});

describe("parseCommandText: text for the router", () => {
  it.each([
    "what's running?",
    "",
    "   ",
    "hello /orchestrate status",
    "/orchestrates status",
    "/improvement ideas",
    "/orchestrate what's running?",
    "/orchestrate show me the last 5 commands",
    "/orchestrate run the hello workflow for Ada",
    "/orchestrate status of everything please",
    "/orchestrate shwo me the last 5 commands",
    "/orchestrate budget for the whole team",
    '/orchestrate why "is it down',
    "/orchestrate #ops status",
    "/orchestrate @ada hi",
    "/orchestrate x",
    "/orchestrate constructor",
    "/orchestrate __proto__",
    "/orchestrate toString",
  ])("%j", (text) => {
    expect(parseCommandText(text)).toEqual({ kind: "not-grammar" });
  });
});

describe("tokenize", () => {
  it("groups double, single and curly quotes, and keeps apostrophes inside words", () => {
    const lexed = tokenize(`a "b c" 'd e' “f g” what's 'don't stop'`);
    expect(lexed).toEqual({
      ok: true,
      tokens: [
        { kind: "word", text: "a", quoted: false, raw: "a" },
        { kind: "word", text: "b c", quoted: true, raw: '"b c"' },
        { kind: "word", text: "d e", quoted: true, raw: "'d e'" },
        { kind: "word", text: "f g", quoted: true, raw: "“f g”" },
        { kind: "word", text: "what's", quoted: false, raw: "what's" },
        { kind: "word", text: "don't stop", quoted: true, raw: "'don't stop'" },
      ],
    });
  });

  it("tells key=value pairs from positionals", () => {
    const lexed = tokenize(`name="Ada Lovelace" "a=b" 9=x =x a.b-c=d=e`);
    expect(lexed).toEqual({
      ok: true,
      tokens: [
        { kind: "pair", key: "name", value: "Ada Lovelace", raw: 'name="Ada Lovelace"' },
        { kind: "word", text: "a=b", quoted: true, raw: '"a=b"' },
        { kind: "word", text: "9=x", quoted: false, raw: "9=x" },
        { kind: "word", text: "=x", quoted: false, raw: "=x" },
        { kind: "pair", key: "a.b-c", value: "d=e", raw: "a.b-c=d=e" },
      ],
    });
  });

  it("recognises channels and users, typed or as Slack and Discord mentions", () => {
    const lexed = tokenize("#ops @ada <#C123|ops> <@U123> <@!42> # @");
    expect(lexed).toEqual({
      ok: true,
      tokens: [
        { kind: "channel", text: "#ops", name: "ops", raw: "#ops" },
        { kind: "user", text: "@ada", name: "ada", raw: "@ada" },
        { kind: "channel", text: "<#C123|ops>", name: "C123", label: "ops", raw: "<#C123|ops>" },
        { kind: "user", text: "<@U123>", name: "U123", raw: "<@U123>" },
        { kind: "user", text: "<@!42>", name: "42", raw: "<@!42>" },
        { kind: "word", text: "#", quoted: false, raw: "#" },
        { kind: "word", text: "@", quoted: false, raw: "@" },
      ],
    });
  });

  it("reports an unterminated quote instead of throwing", () => {
    expect(tokenize('run "hello')).toEqual({ ok: false, message: 'There is an unterminated quote in `"hello`.' });
    expect(tokenize('say "trailing\\')).toMatchObject({ ok: false });
    expect(tokenize("“open")).toMatchObject({ ok: false });
    expect(tokenize("")).toEqual({ ok: true, tokens: [] });
  });
});

describe("did-you-mean", () => {
  it("counts edits, with a swap of neighbours as one", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("stauts", "status")).toBe(1);
    expect(editDistance("ABC", "abc")).toBe(0);
  });

  it("returns the nearest candidates within the allowed distance", () => {
    expect(closest("stauts", ["status", "step", "stop"])).toEqual(["status"]);
    expect(closest("stpe", ["step", "status"])).toEqual(["step"]);
    expect(closest("rum", ["run", "rut", "runs"])).toEqual(["run", "rut"]);
    expect(closest("xyz", ["status"])).toEqual([]);
    expect(closest("stat", ["status"])).toEqual([]);
    expect(closest("abcdef", ["abcxyz"])).toEqual([]);
    expect(closest("abcdef", ["abcxyz"], 3)).toEqual(["abcxyz"]);
  });
});

describe("parseCommandText: properties", () => {
  const wellFormed = (text: string): void => {
    const result = parseCommandText(text);
    expect(["command", "error", "not-grammar"]).toContain(result.kind);
    if (result.kind === "command") expect(Command.safeParse(result.command).success).toBe(true);
    if (result.kind === "error") {
      expect(result.message).not.toBe("");
      expect(result.suggestions.every((s) => typeof s === "string")).toBe(true);
    }
  };
  const pieces = fc.oneof(
    fc.constantFrom(...GRAMMAR_VERBS, ...EXECUTION_STATUSES, "set", "list", "ex_1", "v2", "0", "5", "101", "-1"),
    fc.constantFrom(
      '"',
      "'",
      "“",
      "”",
      "‘",
      "’",
      "\\",
      "=",
      "#",
      "@",
      "<#C1|ops>",
      "<@U1>",
      "k=v",
      'k="a b"',
      "tz=UTC",
    ),
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.tuple(fc.string({ maxLength: 6 }), fc.string({ unit: "grapheme", maxLength: 6 })).map(([k, v]) => `${k}=${v}`),
  );
  const commandish = fc
    .tuple(
      fc.constantFrom("/orchestrate ", "/ORCHESTRATE\t", "/improve ", "/orchestrate", ""),
      fc.array(pieces, { maxLength: 8 }),
      fc.constantFrom(" ", "  ", "\n", ""),
    )
    .map(([prefix, parts, glue]) => prefix + parts.join(glue));

  it("never throws on arbitrary ASCII strings", () => {
    fc.assert(fc.property(fc.string(), wellFormed), { numRuns: 2000 });
  });

  it("never throws on arbitrary unicode strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), wellFormed), { numRuns: 2000 });
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme" }).map((s) => `/orchestrate ${s}`),
        wellFormed,
      ),
      {
        numRuns: 2000,
      },
    );
  });

  it("never throws on command-like strings built from verbs, quotes, '=', '#' and '@'", () => {
    fc.assert(fc.property(commandish, wellFormed), { numRuns: 5000 });
  });

  it("round-trips any value through double quotes with backslash escapes", () => {
    const value = fc.string({ unit: "binary", maxLength: 200 });
    fc.assert(
      fc.property(value, (v) => {
        const quoted = `"${v.replace(/[\\"]/g, "\\$&")}"`;
        expect(parseCommandText(`/orchestrate run hello msg=${quoted}`)).toEqual(
          command({ type: "workflow.run", workflow: "hello", input: { msg: v } }),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it("reads anything after /improve as feedback", () => {
    const feedback = fc
      .string({ unit: "grapheme", minLength: 1, maxLength: 300 })
      .filter((s) => !/(^|\s)(ex|execution)=/i.test(s));
    fc.assert(
      fc.property(feedback, (text) => {
        const result = parseCommandText(`/improve ${text}`);
        if (text.trim() === "") expect(result.kind).toBe("error");
        else expect(result).toEqual(command({ type: "improve", feedback: text.trim() }));
      }),
      { numRuns: 2000 },
    );
  });
});
