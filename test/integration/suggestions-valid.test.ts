import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { COMMAND_TYPES } from "../../src/commands/commands.js";
import { ScheduleRepository } from "../../src/db/repositories/schedule-repository.js";
import { parseCommandText } from "../../src/routing/grammar.js";
import { exampleFor } from "../../src/routing/rules-grammar.js";
import { chatRequest, RecordingConversation, startTestApp } from "../support/app.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { HELDOUT_CONTEXT } from "../support/routing-fixtures.js";

/** A placeholder (`<workflow>`, `…`) marks a pattern to fill in, not a command to type as is. */
const PLACEHOLDER = /[<…]|\.\.\./;

/** Issue 15: every command text baton or its README offers is one baton accepts. */
describe("suggested commands", () => {
  it("README examples with arguments parse as commands (or as plain words for the router)", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const spans = [...readme.matchAll(/`(\/(?:orchestrate|improve) [^`]+)`/g)].map((match) => match[1] ?? "");
    // A verb named alone in prose (`/orchestrate approve`) is a mention, not an example.
    const withArguments = (span: string) => span.trim().split(/\s+/).length >= 3 || /=\S/.test(span);
    const examples = [...new Set(spans)].filter(
      (span) => !PLACEHOLDER.test(span) && !span.includes("|") && withArguments(span),
    );
    expect(examples.length).toBeGreaterThanOrEqual(10);
    const refused = examples.flatMap((text) => {
      const parsed = parseCommandText(text);
      return parsed.kind === "error" ? [`${text}: ${parsed.message}`] : [];
    });
    expect(refused).toEqual([]);
  });

  it("every example the rules router offers parses, once its placeholders are filled", () => {
    for (const type of COMMAND_TYPES) {
      // `…` stands for what the person fills in: an id, a name, or (for rollback) a version.
      const example = exampleFor(type, HELDOUT_CONTEXT)
        .replace("rollback hello …", "rollback hello 2")
        .replaceAll("…", "x")
        .replaceAll("ex_x", "ex_1");
      const parsed = parseCommandText(example);
      expect(parsed.kind, `${type}: ${example}`).toBe("command");
      expect(parsed.kind === "command" && parsed.command.type, example).toBe(type);
    }
  });
});

describe("schedules of a workflow", () => {
  let db: TestDatabase;
  let app: App;

  beforeAll(async () => {
    db = sqliteDatabase();
    app = await startTestApp({ url: db.url, resume: false });
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  async function say(text: string) {
    const outcome = await app.dispatcher.dispatch(chatRequest(text), new RecordingConversation(true));
    return { outcome: outcome.outcome, text: outcome.reply.text };
  }

  it("refuses a schedule that leaves out a required input, which would fail at every fire", async () => {
    const refused = await say('/orchestrate schedule "0 9 * * 1-5" run healthcheck');
    expect(refused.outcome).toBe("invalid");
    expect(refused.text).toBe(
      "A scheduled healthcheck would fail at every fire without `urls`; add urls=… to the schedule.",
    );
    expect(await new ScheduleRepository(app.database).list()).toEqual([]);
    const scheduled = await say('/orchestrate schedule "0 9 * * 1-5" run healthcheck urls=https://example.com');
    expect(scheduled.outcome).toBe("ok");
    const [schedule] = await new ScheduleRepository(app.database).list();
    expect(schedule).toMatchObject({ workflow: "healthcheck", input: { urls: "https://example.com" } });
  });
});
