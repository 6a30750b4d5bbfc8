#!/usr/bin/env node
// Fails when an import in src/ points against the layering in README.md ("Architecture"):
//
//   front-ends (bot) → routing → commands ← orchestrator → {llm, db}
//
// Plain node, no dependencies. Every relative `import … from`, `export … from`, side-effect
// `import "…"` and dynamic `import("…")` in src/**/*.ts is resolved to the top folder under src/
// it lands in; files directly in src/ (the composition root app.ts/cli.ts/bin.ts and the shared
// config, clock, logger, errors, text helpers) are the "root" layer. Type-only imports count: they
// are a dependency of the design even when the compiler erases them.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(repo, "src");

/**
 * What each layer may not import. A layer missing here is not constrained (yet): the root
 * (composition root and shared helpers), bot (the top), audit (the audit CLI, which reads db).
 * `only` lists the sole layers a layer may import; `deny` the ones it may not.
 */
const RULES = {
  // The vocabulary and the request context: depends on nothing else of baton's (zod is fine).
  commands: { only: [] },
  // Grammar, rules router, LLM router, command tools: speak commands, call LLM providers.
  routing: { deny: ["bot", "http", "orchestrator", "db", "audit"] },
  // Handlers and engine: know the commands, never who typed them or how they were parsed.
  orchestrator: { deny: ["bot", "http", "routing", "audit"] },
  // Providers, metering, pricing, budget wrappers only.
  llm: { deny: ["bot", "http", "routing", "orchestrator", "commands", "db", "secrets", "audit"] },
  // The only code that issues queries. It may import llm's types: `UsageLedger` is a port llm
  // defines and db implements (llm never imports db, so the two stay a sibling pair, not a cycle).
  db: { deny: ["bot", "http", "routing", "orchestrator", "commands", "secrets", "audit"] },
  // The one HTTP server (REST, MCP, webhooks, health, metrics): a front-end like bot, which it uses
  // (the dispatcher, rendering); bot never imports it back.
  http: { deny: ["audit"] },
  bot: { deny: ["http"] },
  // Secret storage and the chat guard: used by bot, orchestrator and config.
  secrets: { deny: ["bot", "http", "routing", "orchestrator", "db", "audit"] },
};

/**
 * The bot reaches the rest of baton through the narrow interfaces in src/bot/ports.ts, which the
 * composition root (src/app.ts) fills in. Of the orchestrator and the database it may name result
 * and record types (`import type`), and call the few pure result helpers listed here — never the
 * Orchestrator, its factory, a repository or the database handle.
 */
const BOT_REACH = {
  typeOnlyFrom: ["orchestrator", "db"],
  values: ["src/orchestrator/scheduler/schedule-spec.ts", "src/orchestrator/improve/improve-results.ts"],
  never: ["src/orchestrator/orchestrator.ts", "src/orchestrator/create-orchestrator.ts", "src/db/database.ts"],
};

/**
 * Edges against the direction that are accepted for now, each with the reason and the issue that
 * removes it: { from: "src/a/x.ts", to: "src/b/y.ts", why: "…" }. Keep it empty.
 */
const ALLOWANCES = [];

const ROOT = "root";

function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.isFile() && entry.name.endsWith(".ts") ? [path] : [];
  });
}

const STATIC = /^[ \t]*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm;
/** `import type { … }`, or every name imported marked `type`: erased by the compiler, no code runs. */
const TYPE_ONLY = /^[ \t]*(?:import|export)\s+type\b/;
const SIDE_EFFECT = /^[ \t]*import\s*["']([^"']+)["']/gm;
const DYNAMIC = /\bimport\(\s*["'`]([^"'`]+)["'`]\s*\)/g;

function specifiers(text) {
  return [STATIC, SIDE_EFFECT, DYNAMIC].flatMap((pattern) =>
    [...text.matchAll(pattern)].map((m) => ({ spec: m[1], typeOnly: pattern === STATIC && isTypeOnly(m[0]) })),
  );
}

function isTypeOnly(statement) {
  if (TYPE_ONLY.test(statement)) return true;
  const names = /\{([^}]*)\}/.exec(statement)?.[1];
  if (names === undefined || /^[ \t]*(?:import|export)\s+[\w$]+\s*,/.test(statement)) return false;
  const list = names
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  return list.length > 0 && list.every((name) => name.startsWith("type "));
}

/** Why a bot file may not import `target` (null when it may). */
function botReachProblem(target, typeOnly, to) {
  const path = shown(target);
  if (BOT_REACH.never.includes(path)) return "bot uses ports (src/bot/ports.ts), not the orchestrator or database";
  if (!BOT_REACH.typeOnlyFrom.includes(to) || typeOnly || BOT_REACH.values.includes(path)) return null;
  return `bot may only import types from ${to}`;
}

function layerOf(file) {
  const parts = relative(src, file).split(sep);
  return parts.length > 1 ? parts[0] : ROOT;
}

function violates(from, to) {
  const rule = RULES[from];
  if (!rule || from === to) return false;
  if (rule.only) return !rule.only.includes(to);
  return rule.deny.includes(to);
}

const shown = (file) => relative(repo, file).split(sep).join("/");
const allowed = new Set(ALLOWANCES.map((a) => `${a.from} ${a.to}`));
const offending = [];
let edges = 0;

for (const file of tsFiles(src)) {
  for (const { spec, typeOnly } of specifiers(readFileSync(file, "utf8"))) {
    if (!spec.startsWith(".")) continue; // packages and node: builtins
    const target = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
    if (relative(src, target).startsWith("..")) continue;
    edges++;
    const from = layerOf(file);
    const to = layerOf(target);
    const reach = from === "bot" || from === "http" ? botReachProblem(target, typeOnly, to) : null;
    if (!reach && !violates(from, to)) continue;
    if (allowed.has(`${shown(file)} ${shown(target)}`)) continue;
    offending.push(`${shown(file)} → ${shown(target)} (${reach ?? `${from} may not import ${to}`})`);
  }
}

if (offending.length > 0) {
  console.error(`check-layers: ${offending.length} import(s) against the layering (README.md "Architecture"):`);
  for (const line of offending.sort()) console.error(`  ${line}`);
  process.exit(1);
}
console.log(`check-layers: ${edges} imports in src follow the layering (${ALLOWANCES.length} allowances)`);
