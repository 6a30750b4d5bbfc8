import { z } from "zod";
import type { Role } from "./commands/access/roles.js";
import { type AgentsConfig, AgentsEnvShape, buildAgentsConfig } from "./config-agents.js";
import { buildDiscordConfig, type DiscordConfig, DiscordEnvShape, discordProblems } from "./config-discord.js";
import { buildEgressConfig, type EgressConfig, EgressEnvShape, egressProblems } from "./config-egress.js";
import { type HookSpec, HooksEnvShape, loadHooksFile } from "./config-hooks.js";
import { buildHttpConfig, type HttpConfig, HttpEnvShape, httpProblems } from "./config-http.js";
import { buildLlmConfig, type LlmConfig, LlmEnvShape, llmProblems } from "./config-llm.js";
import { bounded, millis } from "./config-numbers.js";
import { loadRolesFile, RolesEnvShape } from "./config-roles.js";
import { buildSchedulerConfig, type SchedulerConfig, SchedulerEnvShape } from "./config-scheduler.js";
import { buildSecretsSettings } from "./config-secrets.js";
import { buildSlackConfig, type SlackConfig, SlackEnvShape, slackProblems } from "./config-slack.js";
import type { SecretsSettings } from "./secrets/secret-store.js";

/**
 * The environment, parsed once. This is the only module that reads process.env (CONVENTIONS.md);
 * everything else receives a Config.
 */

const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const databaseUrl = z
  .string()
  .trim()
  .refine((value) => /^sqlite:.+/.test(value) || /^postgres(ql)?:\/\/.+/.test(value), {
    message: "expected sqlite:<path> (or sqlite::memory:) or a postgres://user@host:port/db URL",
  });

const listOfIds = z
  .string()
  .transform((value) =>
    value
      .split(/[,\s]+/)
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0),
  )
  .pipe(z.array(z.string().regex(/^[^:\s]+(:[^:\s]+)?$/, "entries look like platform:userId or userId")));

const EnvSchema = z.object({
  DATABASE_URL: databaseUrl.default("sqlite:./data/baton.db"),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  BATON_ADMINS: listOfIds.default([]),
  // POSIX's ":/etc/localtime" form (common in containers) means the system's own zone.
  TZ: z
    .string()
    .transform((value) => (value.startsWith(":") ? Intl.DateTimeFormat().resolvedOptions().timeZone : value))
    .refine(isTimeZone, { message: "expected an IANA time zone such as UTC or Europe/Berlin" })
    .default("UTC"),
  BATON_WORKFLOWS_DIR: z.string().min(1).default("./workflows"),
  BATON_USER: z.string().min(1).optional(),
  BATON_LOG_FILE: z.string().min(1).optional(),
  USER: z.string().optional(),
  BATON_ROUTER_THRESHOLD: bounded(0.6, 0, 1),
  BATON_DB_BUSY_TIMEOUT_MS: millis(5000, 1, 600_000),
  BATON_SHUTDOWN_GRACE_MS: millis(10_000, 1, 600_000),
  BATON_LEASE_MS: millis(60_000, 1000, 3_600_000),
  // 4000 is DEFAULT_MAX_INPUT_CHARS (src/bot/input-limit.ts), the limit the command schemas' text fields share.
  BATON_MAX_INPUT_CHARS: bounded(4000, 100, 100_000, { whole: true, what: "a whole number of characters" }),
  ...LlmEnvShape,
  ...DiscordEnvShape,
  ...SlackEnvShape,
  ...SchedulerEnvShape,
  ...AgentsEnvShape,
  ...EgressEnvShape,
  ...RolesEnvShape,
  ...HooksEnvShape,
  ...HttpEnvShape,
});

export interface Config {
  databaseUrl: string;
  logLevel: LogLevel;
  /** The first admins: entries `platform:userId` or a bare `userId` (any platform). No grant narrows them. */
  admins: string[];
  /** Custom roles from BATON_ROLES_FILE (the built-in ones are always there). */
  roles: Role[];
  /** Inbound webhooks from BATON_HOOKS_FILE, their secrets still names (resolved at start-up). */
  hooks: HookSpec[];
  timeZone: string;
  workflowsDir: string;
  /** Who is typing at the console. */
  consoleUser: string;
  /** Where log lines go while the console REPL is open (null: ./data/baton.log, and only at a terminal). */
  logFile: string | null;
  routerThreshold: number;
  busyTimeoutMs: number;
  shutdownGraceMs: number;
  /** How long a process owns an execution between renewals; a dead process's runs resume after it. */
  leaseMs: number;
  /** The longest message baton reads, at every entry point; longer ones are refused, never cut. */
  maxInputChars: number;
  llm: LlmConfig;
  /** Null when Discord is not configured (no DISCORD_TOKEN or DISCORD_PUBLIC_KEY). */
  discord: DiscordConfig | null;
  /** null when Slack is not configured (no SLACK_BOT_TOKEN). */
  slack: SlackConfig | null;
  scheduler: SchedulerConfig;
  agents: AgentsConfig;
  /** What the http tools may connect to (BATON_HTTP_ALLOW) and how much. */
  egress: EgressConfig;
  /** BATON_SECRET_<NAME> and BATON_SECRETS_FILE (read at start-up by loadSecretStore). */
  secrets: SecretsSettings;
  /** The one HTTP server (PORT); null when nothing needs it. */
  http: HttpConfig | null;
}

/** Thrown when the environment is invalid; the message names every bad variable. */
export class ConfigError extends Error {
  readonly code = "config_invalid";
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`baton cannot start: invalid configuration.\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/**
 * The variable and what is wrong with it, never its value: a value can be a secret (a signing
 * secret, a token, a database URL with its password), and this message goes to logs and terminals.
 */
function describeIssue(issue: z.core.$ZodIssue): string {
  const variable = String(issue.path[0] ?? "environment");
  return `${variable}: ${issue.message}`;
}

/** Empty strings count as unset, as shells and .env files commonly produce them. */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ""),
  );
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = withoutEmpty(env);
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const problems = [...new Set(parsed.error.issues.map(describeIssue))];
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const secrets = buildSecretsSettings(present);
  const roles = loadRolesFile(e.BATON_ROLES_FILE);
  const hooks = loadHooksFile(e.BATON_HOOKS_FILE);
  const problems = [
    ...llmProblems(e),
    ...discordProblems(e),
    ...slackProblems(e),
    ...egressProblems(e),
    ...httpProblems(e),
    ...secrets.problems,
    ...roles.problems,
    ...hooks.problems,
  ];
  if (problems.length > 0) throw new ConfigError(problems);
  const slack = buildSlackConfig(e);
  const discord = buildDiscordConfig(e);
  return {
    databaseUrl: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    admins: e.BATON_ADMINS,
    roles: roles.roles,
    hooks: hooks.hooks,
    timeZone: e.TZ,
    workflowsDir: e.BATON_WORKFLOWS_DIR,
    consoleUser: e.BATON_USER ?? e.USER ?? "operator",
    logFile: e.BATON_LOG_FILE ?? null,
    routerThreshold: e.BATON_ROUTER_THRESHOLD,
    busyTimeoutMs: e.BATON_DB_BUSY_TIMEOUT_MS,
    shutdownGraceMs: e.BATON_SHUTDOWN_GRACE_MS,
    leaseMs: e.BATON_LEASE_MS,
    maxInputChars: e.BATON_MAX_INPUT_CHARS,
    llm: buildLlmConfig(e),
    discord,
    slack,
    scheduler: buildSchedulerConfig(e),
    agents: buildAgentsConfig(e),
    egress: buildEgressConfig(e),
    secrets: secrets.settings,
    // Webhooks are served by the one HTTP server too (on the default port when PORT is unset).
    http: buildHttpConfig(e, needsServer(slack, discord) || hooks.hooks.length > 0),
  };
}

/** Slack's HTTP mode and Discord's interactions endpoint are served by the one HTTP server. */
function needsServer(slack: SlackConfig | null, discord: DiscordConfig | null): boolean {
  return (slack !== null && slack.appToken === null) || (discord !== null && discord.publicKey !== null);
}
