import { describe, expect, it } from "vitest";
import { renderResult } from "../../src/bot/render.js";
import { withoutInternals } from "../../src/channel-safe.js";
import { databaseError, toBatonError } from "../../src/errors.js";
import type { StatusSnapshot } from "../../src/orchestrator/results.js";

/** Issue 12 item 7: what baton shows in a channel names no connection string, file path or port. */

describe("withoutInternals", () => {
  it("replaces connection strings, URLs and host:port pairs, and keeps only a path's file name", () => {
    expect(withoutInternals("connect ECONNREFUSED 127.0.0.1:5432")).toBe("connect ECONNREFUSED [address]");
    expect(withoutInternals("could not reach postgres://u:SuperSecretPw@db.internal:5432/baton.")).toBe(
      "could not reach [address].",
    );
    expect(withoutInternals("SQLITE_CANTOPEN: unable to open '/var/lib/baton/baton.db'")).toBe(
      "SQLITE_CANTOPEN: unable to open 'baton.db'",
    );
    expect(withoutInternals("ENOENT: no such file or directory, open ./data/x.yaml,")).toBe(
      "ENOENT: no such file or directory, open x.yaml,",
    );
    expect(withoutInternals("listening on localhost:3000 and [::1]:3000 (:8080)")).toBe(
      "listening on [address] and [address] ([address])",
    );
  });

  it("leaves ordinary sentences, times and ratios alone", () => {
    const plain = "The step failed at 10:30 after 3 attempts: expected 2:1, got a/b.";
    expect(withoutInternals(plain)).toBe(plain);
  });

  it("reads a long message once (no backtracking), whatever it holds", () => {
    const long = `${"a:".repeat(20_000)} /${"x/".repeat(20_000)}`;
    expect(withoutInternals(long).length).toBeLessThan(long.length);
  });
});

describe("errors shown in a channel", () => {
  it("names the driver's code for a database failure, never its message", () => {
    const driver = Object.assign(new Error("SQLITE_ERROR: no such table: executions"), { code: "SQLITE_ERROR" });
    const sequelize = Object.assign(new Error("SQLITE_ERROR: no such table: executions"), {
      name: "SequelizeDatabaseError",
      parent: driver,
    });
    const error = toBatonError(sequelize);
    expect(error).toMatchObject({ code: "database_error", retryable: false, cause: sequelize });
    expect(error.message).toBe("The database refused the request (SQLITE_ERROR); baton's log has the details.");
    const refused = databaseError(new Error("password authentication failed for user postgres at 10.0.0.5:5432"));
    expect(refused.message).toBe("The database refused the request; baton's log has the details.");
  });

  it("keeps an internal error's sentence but not its addresses or paths", () => {
    const error = toBatonError(new Error("connect ECONNREFUSED 127.0.0.1:6379 reading /etc/baton/secrets.env"));
    expect(error.message).toBe("Something went wrong inside baton: connect ECONNREFUSED [address] reading secrets.env");
  });
});

describe("status as posted", () => {
  const snapshot: StatusSnapshot = {
    version: "0.1.0",
    startedAt: new Date("2026-12-03T06:00:00Z"),
    now: new Date("2026-12-03T07:00:00Z"),
    database: { dialect: "postgres", location: "postgres://baton:***@db.internal:5432/baton" },
    router: "openai (llama3) → rules (offline)",
    frontEnds: ["slack (http :3000/slack/events)", "discord", "console"],
    frontEndHealth: ["slack: listening on :3000, no events yet"],
    running: [],
    waiting: [],
    interrupted: [],
    last24h: {},
    workflows: { count: 2, problems: ["/etc/baton/workflows/broken.yaml: YAML syntax error at line 3, column 1."] },
    llm: {
      providers: [
        {
          provider: "openai",
          state: "open",
          consecutiveFailures: 3,
          until: null,
          lastError: "connect ECONNREFUSED 127.0.0.1:11434",
        } as StatusSnapshot["llm"]["providers"][number],
      ],
      spendToday: { calls: 0, costUsd: 0 } as StatusSnapshot["llm"]["spendToday"],
    },
  };

  it("shows the database kind and the front-ends without a URL, host, path or port", () => {
    const reply = renderResult({ type: "status", status: snapshot }, { now: snapshot.now, timeZone: "UTC" });
    const shown = JSON.stringify(reply);
    expect(shown).toContain("PostgreSQL");
    expect(shown).toContain("slack (http)");
    expect(shown).toContain("broken.yaml");
    for (const internal of [
      "db.internal",
      "5432",
      ":3000",
      "3000",
      "/etc/baton",
      "127.0.0.1",
      "11434",
      "postgres://",
    ]) {
      expect(shown).not.toContain(internal);
    }
  });
});
