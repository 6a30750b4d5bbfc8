/**
 * `npm run bench:input` — every function that sees user text, fed adversarial input (long runs of
 * whitespace, repeated prefixes of the patterns, nested and unbalanced quotes and brackets), timed
 * against plain prose of the same length in the same run. A linear function stays near 1×; a
 * backtracking regex shows up as a ratio that grows with the length. Sizes: ~100 KB, and the input
 * limit (BATON_MAX_INPUT_CHARS, 4,000 by default) that the dispatcher lets through.
 * The last line is JSON: { worst_ratio, worst_input: the worst over what a message goes through (the
 * entry points and the whole path); worst_ratio_any_function, worst_input_any_function: the worst
 * single helper; worst_growth: how steeply the worst adversarial time grows with length (≈1 linear,
 * ≈2 quadratic) }.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApp } from "../src/app.js";
import { textForAudit } from "../src/bot/input-limit.js";
import { withoutMention } from "../src/bot/slack/slack-requests.js";
import { loadConfig } from "../src/config.js";
import { closest } from "../src/did-you-mean.js";
import { silentLogger } from "../src/logger.js";
import { parseExpression } from "../src/orchestrator/workflow/expression.js";
import { renderTemplate } from "../src/orchestrator/workflow/template.js";
import { redactSecrets } from "../src/redact.js";
import { parseCommandText } from "../src/routing/grammar.js";
import { RulesRouter } from "../src/routing/rules.js";
import { quotable, toUtterance, trimValue, urlsIn } from "../src/routing/rules-text.js";
import { tokenize } from "../src/routing/tokenize.js";
import type { RouteContext } from "../src/routing/types.js";
import { truncate, withoutMassMentions } from "../src/text.js";

const LARGE = Number(process.env.BENCH_INPUT_CHARS ?? 100_000);
const LIMIT = 4000;
/** A run whose quadratic estimate is past this is measured at a smaller size instead (and says so). */
const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS ?? 1500);
const ROUNDS = 5;
const WORKFLOWS = fileURLToPath(new URL("../workflows", import.meta.url));

const context: RouteContext = {
  actorId: "bench",
  actorName: "bench",
  workflows: [
    { name: "healthcheck", inputs: [{ name: "urls", required: true }] },
    { name: "hello", inputs: [{ name: "name", required: true }] },
    {
      name: "deploy",
      inputs: [
        { name: "service", required: true },
        { name: "env", required: false },
      ],
    },
  ],
};

const PROSE =
  "The deploy went out this morning and the team checked the dashboards twice before lunch, " +
  "then wrote up what they saw for the next shift so nobody has to guess what changed. ";

/** Each adversarial input, built to `size` characters from a repeated unit (or a run between two words). */
const ADVERSARIAL: ReadonlyArray<readonly [name: string, build: (size: number) => string]> = [
  ["spaces", (n) => run("a", " ", n, "b")],
  ["tabs", (n) => run("a", "\t", n, "b")],
  ["newlines", (n) => run("a", "\n", n, "b")],
  ["mixed whitespace", (n) => repeat(" \t\n\r\u00a0", n)],
  ["authorization: + spaces", (n) => run("authorization:", " ", n, "x")],
  ["authorization: + tabs", (n) => run("Authorization:", "\t", n, "x")],
  ['"authorization: " x N', (n) => repeat("authorization: ", n)],
  ['"Basic " x N', (n) => repeat("Basic ", n)],
  ['"Bearer " x N', (n) => repeat("Bearer ", n)],
  ['"xoxb-" x N', (n) => repeat("xoxb-", n)],
  ['"sk-ant-" x N', (n) => repeat("sk-ant-", n)],
  ['"ghp_" x N', (n) => repeat("ghp_", n)],
  ['"http://a:" x N', (n) => repeat("http://a:", n)],
  ['"https://" x N', (n) => repeat("https://", n)],
  ['"password=" x N', (n) => repeat("password=", n)],
  ['"key=" x N', (n) => repeat("key=", n)],
  ['"key = " x N', (n) => repeat("key = ", n)],
  ['"run " x N', (n) => repeat("run ", n)],
  ['"/orchestrate run " + "a=" x N', (n) => `/orchestrate run hello ${repeat("a=", n - 23)}`],
  ['"ask " x N', (n) => repeat("ask ", n)],
  ['"post " x N (no digest)', (n) => repeat("post ", n)],
  ['"ag_1 " x N (no retire)', (n) => repeat("ag_1 ", n)],
  ['"for " x N', (n) => repeat("for ", n)],
  ['"name " x N', (n) => repeat("name ", n)],
  ['"hi " x N', (n) => repeat("hi ", n)],
  ['"please " x N', (n) => repeat("please ", n)],
  ['"last " x N', (n) => repeat("last ", n)],
  ['"schedule \\"" x N', (n) => repeat('schedule "', n)],
  ['"ex_" x N', (n) => repeat("ex_", n)],
  ['"make @a " x N (no role)', (n) => repeat("make @a ", n)],
  ['"take admin " x N (no from)', (n) => repeat("take admin ", n)],
  ['"every 1 at 1 " x N', (n) => repeat("every 1 at 1 ", n)],
  ['"orchestartor " x N (slips)', (n) => repeat("orchestartor ", n)],
  ['"raise limit " x N', (n) => repeat("raise limit ", n)],
  ['"say hi to " x N', (n) => repeat("say hi to ", n)],
  ['"question for x " x N', (n) => repeat("question for x ", n)],
  ['"<@U1|" x N', (n) => repeat("<@U1|", n)],
  ['"<#C1|" x N', (n) => repeat("<#C1|", n)],
  ['"<http://a|" x N', (n) => repeat("<http://a|", n)],
  ['"<!here" x N', (n) => repeat("<!here", n)],
  ['"@here" x N', (n) => repeat("@here", n)],
  ['":a" x N', (n) => repeat(":a", n)],
  ['"." x N', (n) => run("a", ".", n, "b")],
  ['", " x N', (n) => run("a", ", ", n, "b")],
  ['"-" x N', (n) => run("a", "-", n, "b")],
  ['"=" x N', (n) => run("a", "=", n, "b")],
  ['"{{" x N', (n) => repeat("{{", n)],
  ['"*a" x N', (n) => repeat("*a", n)],
  ["nested quotes", (n) => repeat(`"'`, n)],
  ["unbalanced double quote", (n) => `"${repeat("a ", n - 1)}`],
  ["unbalanced quotes x N", (n) => repeat(`a="b `, n)],
  ['"<" x N', (n) => repeat("<", n)],
  ['"[(" x N', (n) => repeat("[(", n)],
  ["one long word", (n) => repeat("a", n)],
];

/** Every function that reads what a person (or a platform) typed. */
function functions(resolve: (text: string) => Promise<unknown>) {
  const router = new RulesRouter();
  return [
    ["tokenize", (text: string) => tokenize(text)],
    ["grammar parse", (text: string) => parseCommandText(`/orchestrate ${text}`)],
    ["rules router", (text: string) => router.route(text, context)],
    ["resolve (dispatcher, rules)", resolve],
    ["redactSecrets", (text: string) => redactSecrets(text)],
    ["toUtterance", (text: string) => toUtterance(text)],
    ["quotable", (text: string) => quotable(text)],
    ["urlsIn", (text: string) => urlsIn(text)],
    ["trimValue", (text: string) => trimValue(text)],
    ["truncate", (text: string) => truncate(text, 500)],
    ["withoutMassMentions", (text: string) => withoutMassMentions(text)],
    ["closest (did you mean)", (text: string) => closest(text, ["status", "history", "workflows"])],
    ["slack mention (bot id)", (text: string) => withoutMention(text, "U1")],
    ["slack mention (leading)", (text: string) => withoutMention(text, null)],
    ["message (whole path)", (text: string) => message(resolve, text)],
    ["template render", (text: string) => safely(() => renderTemplate(text, { input: {}, steps: {} }))],
    ["expression parse", (text: string) => safely(() => parseExpression(text))],
  ] as const;
}

/**
 * Everything one chat message's text goes through before baton answers: the front-end's mention
 * stripping, the dispatcher's resolve (limit, grammar, rules router), the audit row's clipped and
 * redacted copy, and the reply's one-line echo with broadcasts defused.
 */
async function message(resolve: (text: string) => Promise<unknown>, text: string): Promise<unknown> {
  const stripped = withoutMention(text, "U1");
  await resolve(stripped);
  redactSecrets(textForAudit(stripped, LIMIT));
  return withoutMassMentions(truncate(stripped, 500));
}

/** What one chat message goes through on its way in: the front-ends' mention stripping, then the dispatcher. */
const ENTRY_POINTS = new Set([
  "message (whole path)",
  "tokenize",
  "grammar parse",
  "rules router",
  "resolve (dispatcher, rules)",
  "slack mention (bot id)",
  "slack mention (leading)",
]);

function worstOf(suffix: string, rows: readonly Row[], by: (row: Row) => number) {
  const worst = rows.reduce<Row | undefined>((a, b) => (a === undefined || by(b) > by(a) ? b : a), undefined);
  if (!worst) return {};
  return {
    [`worst_ratio${suffix}`]: Number(worst.ratio.toFixed(2)),
    [`worst_input${suffix}`]: `${worst.fn}: ${worst.input} (${worst.size} chars)`,
    [`worst_ms${suffix}`]: Number(worst.adversarialMs.toFixed(3)),
  };
}

/** The steepest growth: a linear function stays near 1 (fixed costs pull it under), a quadratic one nears 2. */
function growthOf(suffix: string, rows: readonly Row[]) {
  const grown = rows.filter((r) => r.growth !== null);
  const worst = grown.reduce<Row | undefined>(
    (a, b) => (a === undefined || (b.growth ?? 0) > (a.growth ?? 0) ? b : a),
    undefined,
  );
  if (!worst) return {};
  return {
    [`worst_growth${suffix}`]: Number((worst.growth ?? 0).toFixed(2)),
    [`worst_growth_input${suffix}`]: `${worst.fn}: ${worst.input}`,
  };
}

function repeat(unit: string, size: number): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

function run(before: string, unit: string, size: number, after: string): string {
  return `${before}${repeat(unit, size - before.length - after.length)}${after}`;
}

function safely(work: () => unknown): unknown {
  try {
    return work();
  } catch (error) {
    return error;
  }
}

/** Milliseconds per call, over enough calls to be timed (at least 5 ms of them). */
async function once(fn: (text: string) => unknown, text: string): Promise<number> {
  let calls = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    await fn(text);
    calls += 1;
    elapsed = performance.now() - started;
  } while (elapsed < 5 && calls < 10_000);
  return elapsed / calls;
}

interface Row {
  fn: string;
  input: string;
  size: number;
  adversarialMs: number;
  plainMs: number;
  ratio: number;
  /** How the adversarial time grows with length: about 1 for linear, 2 for quadratic (large rows only). */
  growth: number | null;
  note: string;
}

async function measure(name: string, fn: (text: string) => unknown, input: string, build: (n: number) => string) {
  const small = await pair(name, fn, input, build, LIMIT);
  // A quadratic case at the limit would take (LARGE/LIMIT)² as long at full size: measure it smaller.
  const estimate = small.adversarialMs * (LARGE / LIMIT) ** 2;
  const size = estimate > BUDGET_MS ? Math.floor(LIMIT * Math.sqrt(BUDGET_MS / small.adversarialMs)) : LARGE;
  const large = await pair(name, fn, input, build, Math.max(size, 2 * LIMIT));
  if (large.size < LARGE) large.note = `measured at ${large.size} chars: ${LARGE} would take too long`;
  large.growth = Math.log(large.adversarialMs / small.adversarialMs) / Math.log(large.size / small.size);
  return [small, large];
}

/** Adversarial and plain text of one length, timed in alternating rounds so drift hits both alike. */
async function pair(
  name: string,
  fn: (text: string) => unknown,
  input: string,
  build: (n: number) => string,
  n: number,
): Promise<Row> {
  const text = build(n);
  const plain = repeat(PROSE, text.length);
  await fn(plain);
  await fn(text);
  let adversarialMs = Number.POSITIVE_INFINITY;
  let plainMs = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round += 1) {
    adversarialMs = Math.min(adversarialMs, await once(fn, text));
    plainMs = Math.min(plainMs, await once(fn, plain));
    // A call that takes this long already shows what it is; more rounds would only add minutes.
    if (adversarialMs > 100) break;
  }
  const ratio = adversarialMs / plainMs;
  return { fn: name, input, size: text.length, adversarialMs, plainMs, ratio, growth: null, note: "" };
}

function table(rows: readonly Row[]): string {
  const header = ["function", "input", "chars", "adversarial ms", "plain ms", "ratio", "growth", ""];
  const lines = rows.map((r) => [
    r.fn,
    r.input,
    String(r.size),
    r.adversarialMs.toFixed(3),
    r.plainMs.toFixed(3),
    `${r.ratio.toFixed(2)}×`,
    r.growth === null ? "" : r.growth.toFixed(2),
    r.note,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => (line[i] ?? "").length)));
  return [header, ...lines].map((line) => line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")).join("\n");
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-input-"));
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dir, "bench.db")}`,
    BATON_WORKFLOWS_DIR: WORKFLOWS,
    LOG_LEVEL: "silent",
  });
  const app = await createApp(config, silentLogger, { frontEnds: ["bench"], resume: false });
  const actor = { id: "bench", name: "bench", platform: "console" };
  const resolve = (text: string) =>
    app.dispatcher.resolve(text, { actor, platform: "console", channel: "bench", thread: null });
  const only = process.env.BENCH_ONLY;
  try {
    const rows: Row[] = [];
    for (const [name, fn] of functions(resolve)) {
      if (only && !only.split(",").some((part) => name.includes(part))) continue;
      for (const [input, build] of ADVERSARIAL) {
        const measured = await measure(name, fn, input, build);
        if (process.env.BENCH_PROGRESS)
          for (const r of measured) console.error(`${r.fn} | ${r.input} | ${r.size} | ${r.ratio.toFixed(2)}`);
        rows.push(...measured);
      }
    }
    console.log(table(rows));
    // The headline is what a message costs (the entry points, the whole path among them). Each
    // helper is listed too: one whose work is proportional to its matches (defusing 20,000 `@here`s)
    // can sit above 3× prose that has none while it stays linear, which `growth` shows.
    const summary = {
      ...worstOf(
        "",
        rows.filter((r) => ENTRY_POINTS.has(r.fn)),
        (r) => r.ratio,
      ),
      ...worstOf("_any_function", rows, (r) => r.ratio),
      ...growthOf("", rows),
      target: 3,
    };
    console.log(JSON.stringify(summary));
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
