import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { silentLogger } from "../../src/logger.js";
import { runCli } from "../support/cli.js";
import { DATABASE_KINDS, sqliteDatabase, type TestDatabase } from "../support/databases.js";

/** Issue 12, item 8: `baton audit export [--since DATE] [--until DATE] [--format jsonl|csv]` through the real CLI. */
const SECRET = "xoxb-1234567890-abcdefghijklmnop";

const ROWS: Array<{ at: string; text: string }> = [
  { at: "2026-01-01T08:00:00Z", text: "/orchestrate status" },
  { at: "2026-01-15T09:30:00Z", text: `/orchestrate run deploy with ${SECRET}` },
  { at: "2026-01-31T23:59:59Z", text: 'say "hi", then\nleave' },
  { at: "2026-02-01T00:00:00Z", text: '=HYPERLINK("http://evil")' },
];

async function seed(db: Database): Promise<void> {
  const audit = new AuditRepository(db);
  for (const [i, row] of ROWS.entries()) {
    const opened = await audit.open({
      at: new Date(row.at),
      platform: "console",
      workspace: null,
      channel: "ops",
      thread: null,
      actorId: "ada",
      actorName: "Ada",
      text: row.text,
      dedupeKey: `export:${i}`,
    });
    if (opened === "duplicate") throw new Error("duplicate");
    await audit.close(opened.id, {
      finishedAt: new Date(new Date(row.at).getTime() + 1500),
      command: { type: "status" },
      commandType: "status",
      resolvedBy: "grammar",
      confidence: 1,
      outcome: "ok",
      errorCode: null,
      errorMessage: null,
      durationMs: 1500,
      executionId: null,
      llm: { inputTokens: 200, outputTokens: 50, costUsd: 0.00123 },
    });
  }
}

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    const next = text[i + 1];
    if (quoted && char === '"' && next === '"') {
      field += '"';
      i += 1;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && char === ",") {
      record.push(field);
      field = "";
    } else if (!quoted && char === "\r" && next === "\n") {
      records.push([...record, field]);
      record = [];
      field = "";
      i += 1;
    } else {
      field += char;
    }
  }
  return records;
}

describe.each(DATABASE_KINDS)("baton audit export on $kind", ({ create }) => {
  let testDb: TestDatabase;

  beforeAll(async () => {
    testDb = await create();
    const db = await openDatabase({ url: testDb.url, logger: silentLogger });
    await seed(db);
    await db.close();
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it("streams the rows from --since (inclusive) to --until (exclusive) as JSON lines, redacted", async () => {
    const run = await runCli(["audit", "export", "--since", "2026-01-10", "--until", "2026-02-01"], {
      DATABASE_URL: testDb.url,
    });
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.created_at)).toEqual(["2026-01-15T09:30:00.000Z", "2026-01-31T23:59:59.000Z"]);
    expect(lines[0]).toMatchObject({
      seq: 2,
      actor_id: "ada",
      command: { type: "status" },
      outcome: "ok",
      duration_ms: 1500,
      llm_input_tokens: 200,
      llm_cost_usd: 0.00123,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(run.stdout).not.toContain(SECRET);
    expect(lines[0].text).toContain("[REDACTED");
  });

  it("writes CSV with a header, quoting what needs quoting", async () => {
    const run = await runCli(["audit", "export", "--format", "csv", "--since", "2026-01-31T23:00:00Z"], {
      DATABASE_URL: testDb.url,
    });
    expect(run.code).toBe(0);
    const [header, ...records] = parseCsv(run.stdout);
    expect(header?.slice(0, 3)).toEqual(["id", "seq", "created_at"]);
    const text = header?.indexOf("text") ?? -1;
    expect(records.map((record) => record[text])).toEqual(['say "hi", then\nleave', `'=HYPERLINK("http://evil")`]);
    expect(records.every((record) => record.length === header?.length)).toBe(true);
  });
});

describe("baton audit export refuses bad arguments", () => {
  const db = sqliteDatabase();
  afterAll(() => db.drop());

  it.each([
    [
      ["--since", "yesterday"],
      '--since "yesterday" is not a date; use 2026-01-31 or 2026-01-31T09:00:00Z (a time needs its zone).',
    ],
    [
      ["--until", "2026-02-30"],
      '--until "2026-02-30" is not a date; use 2026-01-31 or 2026-01-31T09:00:00Z (a time needs its zone).',
    ],
    [["--format", "xml"], '--format "xml" is not supported; use jsonl or csv.'],
    [["--since", "2026-02-01", "--until", "2026-01-01"], "--until must be later than --since."],
  ])("%j: one sentence, exit 2", async (args, sentence) => {
    const run = await runCli(["audit", "export", ...args], { DATABASE_URL: db.url });
    expect({ code: run.code, stderr: run.stderr, stdout: run.stdout }).toEqual({
      code: 2,
      stderr: `${sentence}\n`,
      stdout: "",
    });
  });
});
