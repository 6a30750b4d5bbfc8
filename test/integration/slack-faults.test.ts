import { PassThrough, Readable, Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { renderText } from "../../src/bot/console/text-renderer.js";
import { renderResult } from "../../src/bot/render.js";
import { main } from "../../src/cli.js";
import { ADMIN_PERMISSION } from "../../src/commands/context.js";
import { type AuditEntry, AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { DATABASE_KINDS, sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";
import { FakeClock } from "../support/fake-clock.js";
import { FakeSlack, TEAM } from "../support/fake-slack.js";
import { type SlackHarness, slackWorkflows, startSlackHarness } from "../support/fake-slack-app.js";
import { commandBody, eventBody, eventEnvelope, postSigned } from "../support/fake-slack-requests.js";

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

async function statusText(app: App): Promise<string> {
  const context = {
    actor: { id: "ada", name: "Ada", platform: "console" },
    origin: { platform: "console", workspace: null, channel: "test", thread: null },
    permission: ADMIN_PERMISSION,
  };
  const status = await app.orchestrator.handle({ type: "status" }, context);
  return renderText(renderResult(status, { now: app.clock.now(), timeZone: "UTC" }));
}

/** A slash command's form with fields removed (`null`) or repeated (an array). */
function commandForm(text: string, changes: Record<string, string | string[] | null>): string {
  const form = new URLSearchParams(commandBody("/orchestrate", text));
  for (const [key, value] of Object.entries(changes)) {
    form.delete(key);
    for (const one of value === null ? [] : Array.isArray(value) ? value : [value]) form.append(key, one);
  }
  return form.toString();
}

async function auditRows(app: App): Promise<AuditEntry[]> {
  return new AuditRepository(app.database).recent({ limit: 200 });
}

/** Unhandled rejections anywhere in the process fail the file (Bolt's receiver used to leak one). */
const rejections: unknown[] = [];
const probe = (reason: unknown) => rejections.push(reason);

beforeAll(() => {
  process.on("unhandledRejection", probe);
});

afterAll(() => {
  process.off("unhandledRejection", probe);
  expect(rejections).toEqual([]);
});

describe.each(["refuse", "503"] as const)("Slack's API down when baton starts (%s), HTTP mode", (down) => {
  let db: TestDatabase;
  let h: SlackHarness;
  const clock = new FakeClock();

  beforeAll(async () => {
    db = sqliteDatabase();
    h = await startSlackHarness(db, "http", {}, { slackDown: down, clock });
  });

  afterAll(async () => {
    await h.close();
    await db.drop();
  });

  it("does not count as started, shows the outage in status and answers requests 503", async () => {
    expect(h.frontEnd.isStarted).toBe(false);
    expect(await statusText(h.app)).toMatch(
      /slack: Slack is unreachable \(.+; 1 try, next in 1 s\); requests are answered 503/,
    );
    const rowsBefore = (await auditRows(h.app)).length;
    const response = await postSigned(h.eventsUrl, commandBody("/orchestrate", "status"), FORM);
    expect(response.status).toBe(503);
    expect(JSON.parse(response.body).error).toContain("cannot reach Slack's API");
    expect(h.slack.performed("chat.postMessage")).toEqual([]);
    expect((await auditRows(h.app)).length).toBe(rowsBefore);
  });

  it("retries auth.test with a growing backoff while Slack stays down", async () => {
    await clock.passSleeps(1);
    await clock.untilSleeps(2);
    expect(clock.sleeps).toEqual([1000, 2000]);
    expect(h.slack.calls.filter((c) => c.method === "auth.test").map((c) => c.performed)).toEqual([false, false]);
    expect(await statusText(h.app)).toContain("2 tries, next in 2 s");
    expect((await postSigned(h.eventsUrl, commandBody("/orchestrate", "status"), FORM)).status).toBe(503);
  });

  it("recovers by itself once Slack answers: the next signed request is answered and audited", async () => {
    h.slack.down = null;
    await clock.passSleeps(1);
    await h.frontEnd.started;
    expect(h.frontEnd.isStarted).toBe(true);
    expect(await statusText(h.app)).toContain("slack: listening, no events yet");
    const response = await postSigned(
      h.eventsUrl,
      commandBody("/orchestrate", "status", { channel_id: "C0BACK" }),
      FORM,
    );
    expect(response.status).toBe(200);
    const post = await h.slack.waitFor(
      () => h.slack.performed("chat.postMessage").find((p) => p.channel === "C0BACK"),
      "the status reply after Slack came back",
    );
    expect(JSON.stringify(post.blocks)).toContain("baton status");
    await h.settle();
    const row = (await auditRows(h.app)).find((e) => e.channel === "C0BACK");
    expect(row).toMatchObject({ outcome: "ok", commandType: "status", actorId: "U0ADA" });
  });
});

describe("Slack's API down when baton starts, Socket Mode", () => {
  let db: TestDatabase;
  let h: SlackHarness;
  const clock = new FakeClock();

  beforeAll(async () => {
    db = sqliteDatabase();
    h = await startSlackHarness(db, "socket", {}, { slackDown: "503", clock });
  });

  afterAll(async () => {
    await h.close();
    await db.drop();
  });

  it("opens no socket until auth.test passes, then connects and answers by itself", async () => {
    expect(h.frontEnd.isStarted).toBe(false);
    expect(h.slack.connections).toBe(0);
    expect(h.slack.calls.filter((c) => c.method === "apps.connections.open")).toEqual([]);
    expect(await statusText(h.app)).toContain("slack: Slack is unreachable (HTTP 503 from Slack's API; 1 try");
    h.slack.down = null;
    await clock.passSleeps(1);
    await h.frontEnd.started;
    await h.slack.waitFor(() => h.slack.connections > 0, "a Socket Mode connection");
    await h.slack.sendEnvelope("slash_commands", {
      team_id: TEAM,
      channel_id: "C0OPS",
      user_id: "U0ADA",
      user_name: "ada",
      command: "/orchestrate",
      text: "status",
      trigger_id: "trigger-socket-recovered",
    });
    await h.slack.waitFor(() => h.slack.performed("chat.postMessage")[0], "the status reply");
    expect(await statusText(h.app)).toMatch(/slack: events arriving/);
  });
});

describe("baton start when Slack refuses the bot token", () => {
  it("stops with one sentence instead of retrying a token Slack said no to", async () => {
    const db = sqliteDatabase();
    const slack = await new FakeSlack().start();
    slack.authTestError = "invalid_auth";
    const stderr: string[] = [];
    const io = {
      stdin: Readable.from([]),
      stdout: new PassThrough(),
      stderr: new Writable({
        write(chunk, _encoding, done) {
          stderr.push(String(chunk));
          done();
        },
      }),
      env: {
        DATABASE_URL: db.url,
        BATON_WORKFLOWS_DIR: slackWorkflows(),
        LOG_LEVEL: "silent",
        SLACK_BOT_TOKEN: "xoxb-revoked",
        SLACK_SIGNING_SECRET: "fake-signing-secret-0123456789",
        SLACK_API_URL: slack.apiUrl,
        PORT: "0",
      },
    };
    try {
      expect(await main(["start"], io)).toBe(1);
    } finally {
      await slack.stop();
      await db.drop();
    }
    expect(stderr.join("")).toContain("baton stopped: Slack did not start (An API error occurred: invalid_auth)");
  });
});

interface MalformedCase {
  name: string;
  body: () => string;
  type: typeof FORM | typeof JSON_TYPE;
  code: string;
  channel: string | null;
}

const MALFORMED: MalformedCase[] = [
  {
    name: "a slash command without trigger_id",
    body: () => commandForm("status", { trigger_id: null, channel_id: "C0NOTRIGGER" }),
    type: FORM,
    code: "missing_trigger_id",
    channel: "C0NOTRIGGER",
  },
  {
    name: "a slash command without channel_id",
    body: () => commandForm("status", { channel_id: null }),
    type: FORM,
    code: "missing_channel_id",
    channel: null,
  },
  {
    name: "a slash command without text",
    body: () => commandForm("", { text: null, channel_id: "C0NOTEXT" }),
    type: FORM,
    code: "missing_text",
    channel: "C0NOTEXT",
  },
  {
    name: "a slash command with a repeated form key",
    body: () => commandForm("", { text: ["status", "help"], channel_id: "C0REPEAT" }),
    type: FORM,
    code: "repeated_text",
    channel: "C0REPEAT",
  },
  {
    name: "a slash command with its channel_id twice",
    body: () => commandForm("status", { channel_id: ["C0TWICE", "C0TWICE2"] }),
    type: FORM,
    code: "repeated_channel_id",
    channel: "C0TWICE",
  },
  { name: "a signed JSON null", body: () => "null", type: JSON_TYPE, code: "not_an_object", channel: null },
  { name: "a signed JSON array", body: () => "[1,2]", type: JSON_TYPE, code: "not_an_object", channel: null },
  { name: "a body that is not JSON", body: () => "{oops", type: JSON_TYPE, code: "unreadable_body", channel: null },
  {
    name: "an event without a channel",
    body: () => eventBody({ type: "app_mention", user: "U0ADA", text: "status", ts: "1700000900.1" }),
    type: JSON_TYPE,
    code: "missing_event_channel",
    channel: null,
  },
  {
    name: "a Home tab opened by nobody",
    body: () => eventBody({ type: "app_home_opened", tab: "home", ts: "1700000901.1" }),
    type: JSON_TYPE,
    code: "missing_event_user",
    channel: null,
  },
  {
    name: "an event envelope without its event",
    body: () => JSON.stringify({ type: "event_callback", event_id: "EvNOEVENT", team_id: TEAM }),
    type: JSON_TYPE,
    code: "missing_event",
    channel: null,
  },
  {
    name: "a button click without its user",
    body: () =>
      new URLSearchParams({
        payload: JSON.stringify({ type: "block_actions", trigger_id: "t1", actions: [{ action_id: "baton:x" }] }),
      }).toString(),
    type: FORM,
    code: "missing_user",
    channel: null,
  },
];

describe.each(DATABASE_KINDS)("malformed signed Slack payloads ($kind)", ({ create }) => {
  let db: TestDatabase;
  let h: SlackHarness;
  let good = 0;

  beforeAll(async () => {
    db = await create();
    h = await startSlackHarness(db, "http");
  });

  afterAll(async () => {
    await h.close();
    await db.drop();
  });

  /** A well-formed command right after: baton still serves. */
  async function expectStillServing(): Promise<void> {
    good += 1;
    const channel = `C0GOOD${good}`;
    expect(
      (await postSigned(h.eventsUrl, commandBody("/orchestrate", "status", { channel_id: channel }), FORM)).status,
    ).toBe(200);
    await h.slack.waitFor(
      () => h.slack.performed("chat.postMessage").find((p) => p.channel === channel),
      `a reply in ${channel}`,
    );
  }

  it.each(MALFORMED)("$name: 400, an audit row `invalid` ($code), and the next request works", async (c) => {
    const before = (await auditRows(h.app)).filter((e) => e.errorCode === c.code).length;
    const response = await postSigned(h.eventsUrl, c.body(), c.type);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toMatch(/^baton refused a Slack request because .+; nothing was run\.$/);
    const rows = (await auditRows(h.app)).filter((e) => e.errorCode === c.code);
    expect(rows.length).toBe(before + 1);
    expect(rows[0]).toMatchObject({ platform: "slack", outcome: "invalid", channel: c.channel, commandType: null });
    expect(rows[0]?.text).not.toContain("undefined");
    expect(rows[0]?.finishedAt).not.toBeNull();
    await expectStillServing();
  });

  it("two slash commands without trigger_id are both refused and both recorded (no `slack:undefined` duplicate)", async () => {
    const body = () => commandForm("status", { trigger_id: null, channel_id: "C0TWOMISSING" });
    expect((await postSigned(h.eventsUrl, body(), FORM)).status).toBe(400);
    expect((await postSigned(h.eventsUrl, body(), FORM)).status).toBe(400);
    const rows = (await auditRows(h.app)).filter((e) => e.channel === "C0TWOMISSING");
    expect(rows.map((r) => r.outcome)).toEqual(["invalid", "invalid"]);
    expect(rows.map((r) => r.dedupeKey)).not.toContain("slack:undefined");
    expect(h.slack.performed("chat.postMessage").filter((p) => p.channel === "C0TWOMISSING")).toEqual([]);
    await expectStillServing();
  });

  it("refuses timestamps more than 5 minutes in the future, like stale ones, and runs nothing", async () => {
    const now = Math.floor(Date.now() / 1000);
    const rowsBefore = (await auditRows(h.app)).length;
    for (const timestamp of [now + 10 * 60, now + 6 * 60]) {
      const body = commandBody("/orchestrate", "status", { channel_id: "C0FUTURE" });
      expect((await postSigned(h.eventsUrl, body, FORM, { timestamp })).status).toBe(401);
    }
    await h.settle();
    expect(h.slack.performed("chat.postMessage").filter((p) => p.channel === "C0FUTURE")).toEqual([]);
    expect((await auditRows(h.app)).length).toBe(rowsBefore);
    // Clocks a little apart still work: 2 minutes ahead is within Slack's 5.
    const body = commandBody("/orchestrate", "status", { channel_id: "C0SKEW" });
    expect((await postSigned(h.eventsUrl, body, FORM, { timestamp: now + 120 })).status).toBe(200);
    await h.slack.waitFor(() => h.slack.performed("chat.postMessage").find((p) => p.channel === "C0SKEW"), "the reply");
  });

  it("a redelivered malformed event gets one audit row", async () => {
    const body = JSON.stringify({ type: "event_callback", event_id: "EvBROKEN1", team_id: TEAM, event: { type: 7 } });
    expect((await postSigned(h.eventsUrl, body, JSON_TYPE)).status).toBe(400);
    expect((await postSigned(h.eventsUrl, body, JSON_TYPE, { retryNum: 1 })).status).toBe(400);
    const rows = (await auditRows(h.app)).filter((e) => e.dedupeKey === "slack:invalid:EvBROKEN1");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: "invalid", errorCode: "invalid_event_type", workspace: TEAM });
  });
});

afterEach(() => {
  expect(rejections).toEqual([]);
});

describe("malformed Socket Mode payloads", () => {
  let db: TestDatabase;
  let h: SlackHarness;

  beforeAll(async () => {
    db = sqliteDatabase();
    h = await startSlackHarness(db, "socket");
  });

  afterAll(async () => {
    await h.close();
    await db.drop();
  });

  const command = (fields: Record<string, string | undefined>) =>
    Object.fromEntries(
      Object.entries({
        team_id: TEAM,
        channel_id: "C0SOCK",
        user_id: "U0ADA",
        user_name: "ada",
        command: "/orchestrate",
        text: "status",
        trigger_id: `trigger-sock-${Math.random()}`,
        ...fields,
      }).filter(([, value]) => value !== undefined),
    );

  it("a slash command without channel_id or trigger_id: the sentence in its ack, an audit row, and the next one works", async () => {
    for (const [missing, code] of [
      ["channel_id", "missing_channel_id"],
      ["trigger_id", "missing_trigger_id"],
    ] as const) {
      const ack = await h.slack.sendEnvelope("slash_commands", command({ [missing]: undefined }));
      expect(JSON.stringify(ack)).toContain("baton refused a Slack request because it has no");
      const rows = (await auditRows(h.app)).filter((e) => e.errorCode === code);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ outcome: "invalid", platform: "slack" });
    }
    const rowsBefore = (await auditRows(h.app)).length;
    const event = eventEnvelope(
      { type: "app_mention", user: "U0ADA", text: "status", ts: "1700000950.1" },
      "EvSOCKNOCHAN",
    );
    await h.slack.sendEnvelope("events_api", event);
    await eventually(async () => (await auditRows(h.app)).length === rowsBefore + 1, "one more audit row");
    expect((await auditRows(h.app))[0]).toMatchObject({ errorCode: "missing_event_channel", outcome: "invalid" });
    await h.slack.sendEnvelope("slash_commands", command({ channel_id: "C0SOCKGOOD" }));
    await h.slack.waitFor(
      () => h.slack.performed("chat.postMessage").find((p) => p.channel === "C0SOCKGOOD"),
      "the reply",
    );
  });
});
