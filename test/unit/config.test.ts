import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("starts on the embedded defaults with an empty environment", () => {
    const { llm, discord, slack, scheduler, agents, egress, secrets, http, ...rest } = loadConfig({});
    // No HTTP server unless PORT is set or a front-end needs one.
    expect(http).toBeNull();
    expect(egress).toEqual({ allow: [], maxRequestsPerRun: 100 });
    expect(secrets).toEqual({ file: null, fromEnv: {} });
    expect(slack).toBeNull();
    expect(discord).toBeNull();
    expect(agents).toEqual({
      specialtiesFile: null,
      poolSize: 50,
      idleMs: 24 * 3_600_000,
      maxTurns: 8,
      estimateOutputTokens: 1024,
    });
    expect(llm).toMatchObject({ providers: ["rules"], anthropic: null, openai: null, fastPathConfidence: 0.8 });
    expect(scheduler).toEqual({
      schedulesFile: null,
      continuousDelayMs: 60000,
      stepMaxActions: 10,
      digestRetries: 4,
      digestRetryMs: 2000,
      minIntervalS: 60,
    });
    expect(rest).toEqual({
      databaseUrl: "sqlite:./data/baton.db",
      logLevel: "info",
      admins: [],
      roles: [],
      hooks: [],
      timeZone: "UTC",
      workflowsDir: "./workflows",
      consoleUser: "operator",
      logFile: null,
      routerThreshold: 0.6,
      busyTimeoutMs: 5000,
      shutdownGraceMs: 10000,
      leaseMs: 60000,
      maxInputChars: 4000,
    });
  });

  it("reads every variable it documents", () => {
    const config = loadConfig({
      DATABASE_URL: "postgres://baton@db.internal:5432/baton",
      LOG_LEVEL: "debug",
      BATON_ADMINS: "slack:U123, discord:456 grace",
      TZ: "Europe/Berlin",
      BATON_WORKFLOWS_DIR: "/etc/baton/workflows",
      BATON_USER: "ada",
      BATON_ROUTER_THRESHOLD: "0.8",
      BATON_DB_BUSY_TIMEOUT_MS: "2000",
      BATON_SHUTDOWN_GRACE_MS: "500",
    });
    expect(config).toMatchObject({
      databaseUrl: "postgres://baton@db.internal:5432/baton",
      logLevel: "debug",
      admins: ["slack:U123", "discord:456", "grace"],
      timeZone: "Europe/Berlin",
      consoleUser: "ada",
      routerThreshold: 0.8,
      busyTimeoutMs: 2000,
      shutdownGraceMs: 500,
    });
  });

  it("chains the providers whose keys are set, then rules", () => {
    expect(loadConfig({ ANTHROPIC_API_KEY: "a", OPENAI_API_KEY: "o" }).llm.providers).toEqual([
      "anthropic",
      "openai",
      "rules",
    ]);
    expect(loadConfig({ OPENAI_BASE_URL: "http://localhost:11434/v1" }).llm).toMatchObject({
      providers: ["openai", "rules"],
      openai: { baseUrl: "http://localhost:11434/v1", apiKey: "not-needed", model: "gpt-4.1-mini" },
    });
    const ordered = loadConfig({ ANTHROPIC_API_KEY: "a", OPENAI_API_KEY: "o", LLM_PROVIDERS: "openai,anthropic" });
    expect(ordered.llm.providers).toEqual(["openai", "anthropic", "rules"]);
    expect(loadConfig({ ANTHROPIC_API_KEY: "a", LLM_PROVIDERS: "rules" }).llm.providers).toEqual(["rules"]);
  });

  it("reads per-provider settings and a price table", () => {
    const { llm } = loadConfig({
      ANTHROPIC_API_KEY: "a",
      ANTHROPIC_MODEL: "claude-sonnet-4-5",
      ANTHROPIC_MAX_TOKENS: "512",
      ANTHROPIC_TIMEOUT_MS: "9000",
      LLM_PRICES: '{"my-local-model": {"input": 0, "output": 0}}',
    });
    expect(llm.anthropic).toEqual({
      apiKey: "a",
      model: "claude-sonnet-4-5",
      temperature: 0,
      maxTokens: 512,
      timeoutMs: 9000,
    });
    expect(llm.prices["my-local-model"]).toEqual({ input: 0, output: 0 });
    expect(llm.prices["claude-haiku-4-5"]).toBeDefined();
  });

  it("names LLM settings that cannot work", () => {
    const found = problems({ LLM_PROVIDERS: "anthropic,gemini", LLM_PRICES: "{not json" });
    expect(found.find((p) => p.startsWith("LLM_PROVIDERS:"))).toMatch(/anthropic, openai, rules/);
    expect(found.find((p) => p.startsWith("LLM_PRICES:"))).toMatch(/expected JSON/);
    expect(problems({ LLM_PROVIDERS: "anthropic" })).toEqual([
      "LLM_PROVIDERS: lists anthropic, which needs ANTHROPIC_API_KEY",
    ]);
  });

  it("accepts the POSIX :/etc/localtime form of TZ as the system's zone", () => {
    expect(loadConfig({ TZ: ":/etc/localtime" }).timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it("treats empty values as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", LOG_LEVEL: "" }).databaseUrl).toBe("sqlite:./data/baton.db");
  });

  it("names every bad variable and what it expects, in one error", () => {
    const found = problems({
      DATABASE_URL: "mysql://nope",
      LOG_LEVEL: "loud",
      TZ: "Mars/Olympus",
      BATON_ROUTER_THRESHOLD: "2",
      BATON_DB_BUSY_TIMEOUT_MS: "soon",
    });
    expect(found).toHaveLength(5);
    expect(found.find((p) => p.startsWith("DATABASE_URL:"))).toMatch(/expected sqlite:<path>.*postgres:\/\//);
    expect(found.find((p) => p.startsWith("LOG_LEVEL:"))).toMatch(/debug, info, warn, error, silent/);
    expect(found.find((p) => p.startsWith("TZ:"))).toMatch(/IANA time zone/);
    expect(found.find((p) => p.startsWith("BATON_ROUTER_THRESHOLD:"))).toMatch(/expected a number from 0 to 1/);
    expect(found.find((p) => p.startsWith("BATON_DB_BUSY_TIMEOUT_MS:"))).toBeDefined();
  });

  it("rejects malformed admin entries", () => {
    expect(problems({ BATON_ADMINS: "slack:U1:extra" })[0]).toMatch(/^BATON_ADMINS: .*platform:userId/);
  });

  it("puts every problem in the message it exits with", () => {
    try {
      loadConfig({ LOG_LEVEL: "x", TZ: "y" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(/invalid configuration[\s\S]*LOG_LEVEL[\s\S]*TZ/);
    }
  });

  it("names the variable and what is wrong, never the value (it may be a secret)", () => {
    const secret = "s3cr3t!";
    const env = {
      SLACK_BOT_TOKEN: "xoxb-real-token-value",
      SLACK_SIGNING_SECRET: secret,
      DATABASE_URL: "postgress://u:SuperSecretPw@h/db",
      BATON_MAX_INPUT_CHARS: "SuperSecretPw",
    };
    const found = problems(env);
    expect(found.find((p) => p.startsWith("SLACK_SIGNING_SECRET:"))).toBe(
      "SLACK_SIGNING_SECRET: expected the app's signing secret",
    );
    expect(found.find((p) => p.startsWith("DATABASE_URL:"))).toMatch(/^DATABASE_URL: expected sqlite:<path>/);
    expect(found.find((p) => p.startsWith("BATON_MAX_INPUT_CHARS:"))).toMatch(/from 100 to 100000/);
    let message = "";
    try {
      loadConfig(env);
    } catch (error) {
      message = (error as ConfigError).message;
    }
    expect(message).toContain("SLACK_SIGNING_SECRET: expected");
    expect(message).toContain("DATABASE_URL: expected");
    for (const value of [secret, "SuperSecretPw", "postgress://", "xoxb-real-token-value"]) {
      expect(message).not.toContain(value);
      expect(found.join("\n")).not.toContain(value);
    }
  });

  it("does not echo a valid database URL when another variable is wrong", () => {
    const found = problems({ DATABASE_URL: "postgres://u:SuperSecretPw@h/db", LOG_LEVEL: "loud" });
    expect(found).toEqual(["LOG_LEVEL: expected one of debug, info, warn, error, silent"]);
  });

  it("reads BATON_MAX_INPUT_CHARS, 4000 by default", () => {
    expect(loadConfig({}).maxInputChars).toBe(4000);
    expect(loadConfig({ BATON_MAX_INPUT_CHARS: "12000" }).maxInputChars).toBe(12000);
    expect(problems({ BATON_MAX_INPUT_CHARS: "5" })).toEqual([
      "BATON_MAX_INPUT_CHARS: expected a whole number of characters from 100 to 100000",
    ]);
  });
});
