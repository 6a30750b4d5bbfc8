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
    expect(loadConfig({})).toEqual({
      databaseUrl: "sqlite:./data/baton.db",
      logLevel: "info",
      admins: [],
      timeZone: "UTC",
      workflowsDir: "./workflows",
      consoleUser: "operator",
      routerThreshold: 0.6,
      busyTimeoutMs: 5000,
      shutdownGraceMs: 10000,
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
    expect(found.find((p) => p.startsWith("DATABASE_URL:"))).toMatch(
      /expected sqlite:<path>.*postgres:\/\/.*got "mysql:\/\/nope"/,
    );
    expect(found.find((p) => p.startsWith("LOG_LEVEL:"))).toMatch(/debug, info, warn, error, silent/);
    expect(found.find((p) => p.startsWith("TZ:"))).toMatch(/IANA time zone/);
    expect(found.find((p) => p.startsWith("BATON_ROUTER_THRESHOLD:"))).toMatch(/between 0 and 1/);
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
});
