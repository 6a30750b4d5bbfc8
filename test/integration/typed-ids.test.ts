import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { ScheduleRepository } from "../../src/db/repositories/schedule-repository.js";
import { chatRequest, RecordingConversation, startTestApp, workflowsWithSlowOne } from "../support/app.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";

/** The shipped examples, `slow` and `hello`, plus `gate`: one approval, then a greeting. */
function workflows(): string {
  const dir = workflowsWithSlowOne();
  writeFileSync(
    join(dir, "gate.yaml"),
    [
      "name: gate",
      "steps:",
      "  - id: confirm",
      "    approval: { prompt: Go ahead? }",
      "  - id: done",
      "    tool: template",
      '    with: { text: "went ahead" }',
      "",
    ].join("\n"),
  );
  return dir;
}

describe.each(DATABASE_KINDS)("typed execution, agent and schedule ids on $kind", ({ create }) => {
  let database: TestDatabase;
  let app: App;
  let executions: ExecutionRepository;

  beforeEach(async () => {
    database = await create();
    app = await startTestApp({ url: database.url, workflowsDir: workflows() });
    executions = new ExecutionRepository(app.database);
  });

  afterEach(async () => {
    await app.close();
    await database.drop();
  });

  async function say(text: string, conversation = new RecordingConversation(true)) {
    const outcome = await app.dispatcher.dispatch(chatRequest(text), conversation);
    const settled = await outcome.settled;
    return { outcome, reply: settled.reply.text, conversation };
  }

  /** Starts a run without waiting for it to finish (`slow` waits 30 s). */
  async function start(text: string): Promise<string> {
    const outcome = await app.dispatcher.dispatch(chatRequest(text), new RecordingConversation(true));
    expect(outcome.outcome).toBe("ok");
    return outcome.result?.type === "workflow.run" ? outcome.result.execution.id : "";
  }

  /** An execution written straight through the repository, as an older baton (or a collision) left it. */
  async function insert(id: string, status: "running" | "waiting"): Promise<void> {
    const now = new Date();
    await executions.create({
      id,
      workflowName: "slow",
      workflowVersion: 1,
      status,
      input: {},
      requestedBy: "ada",
      requestedByName: "Ada",
      platform: "console",
      channel: "test",
      thread: null,
      leaseOwner: "another-process",
      leaseExpiresAt: new Date(now.getTime() + 3_600_000),
      createdAt: now,
      startedAt: now,
    });
  }

  it("gives a new execution 16 hex digits and shows it by a unique prefix", async () => {
    const id = await start("/orchestrate run hello name=Ada");
    expect(id).toMatch(/^ex_[0-9a-f]{16}$/);
    const { outcome, reply } = await say(`/orchestrate show ${id.slice(0, 9)}`);
    expect(outcome.outcome).toBe("ok");
    expect(outcome.result?.type === "execution.show" && outcome.result.detail.execution.id).toBe(id);
    expect(reply).toContain(id);
  });

  it("cancels the execution a unique prefix names, and the confirmation names the whole id", async () => {
    const id = await start("/orchestrate run slow");
    const other = await start("/orchestrate run slow");
    const { outcome, conversation } = await say(`/orchestrate cancel ${id.slice(0, 11)}`);
    expect(outcome.outcome).toBe("ok");
    expect(conversation.prompts[0]?.question).toContain(id);
    expect((await executions.get(id))?.status).toBe("cancelled");
    expect((await executions.get(other))?.status).toBe("running");
    await say(`/orchestrate cancel ${other}`);
  });

  it("approves the execution a unique prefix names", async () => {
    const id = await start("/orchestrate run gate");
    const { outcome } = await say(`/orchestrate approve ${id.slice(0, 9)} looks good`);
    expect(outcome.outcome).toBe("ok");
    expect(outcome.result?.type === "execution.approve" && outcome.result.execution.id).toBe(id);
    expect((await app.followUps.waitUntilSettled(id))?.status).toBe("succeeded");
  });

  it("refuses an ambiguous prefix with one sentence naming the matches, and acts on nothing", async () => {
    await insert("ex_abcd1234aaaaaaaa", "waiting");
    await insert("ex_abcd1234bbbbbbbb", "waiting");
    for (const verb of ["show", "approve", "reject", "cancel"]) {
      const { outcome, reply, conversation } = await say(`/orchestrate ${verb} ex_abcd`);
      expect(outcome.outcome).not.toBe("ok");
      expect(reply).toMatch(/`ex_abcd` is the start of more than one execution/);
      expect(reply).toContain("ex_abcd1234aaaaaaaa");
      expect(reply).toContain("ex_abcd1234bbbbbbbb");
      expect(conversation.prompts).toEqual([]);
    }
    expect((await executions.get("ex_abcd1234aaaaaaaa"))?.status).toBe("waiting");
    expect((await executions.get("ex_abcd1234bbbbbbbb"))?.status).toBe("waiting");
  });

  it("reads a typed `_` literally, not as LIKE's one-character wildcard", async () => {
    await insert("exXabcd1234aaaaaaaa", "waiting");
    await insert("ex_abcd1234bbbbbbbb", "waiting");
    const { outcome } = await say("/orchestrate show ex_abcd");
    expect(outcome.result?.type === "execution.show" && outcome.result.detail.execution.id).toBe("ex_abcd1234bbbbbbbb");
  });

  it("keeps a legacy 8-hex id working, whole or by prefix, and says when nothing matches", async () => {
    await insert("ex_0badc0de", "running");
    const whole = await say("/orchestrate show ex_0badc0de");
    expect(whole.outcome.result?.type === "execution.show" && whole.outcome.result.detail.execution.id).toBe(
      "ex_0badc0de",
    );
    const { outcome } = await say("/orchestrate cancel ex_0bad");
    expect(outcome.outcome).toBe("ok");
    expect((await executions.get("ex_0badc0de"))?.status).toBe("cancelled");
    const missing = await say("/orchestrate show ex_feedface");
    expect(missing.reply).toContain("There is no execution `ex_feedface`");
  });

  it("deletes the schedule a unique prefix names", async () => {
    const created = await say('/orchestrate schedule "0 9 * * 1-5" digest #ops');
    const id = /`(sch_[0-9a-f]{16})`/.exec(created.reply)?.[1] ?? "";
    expect(id).not.toBe("");
    const { outcome, conversation } = await say(`/orchestrate unschedule ${id.slice(0, 8)}`);
    expect(outcome.outcome).toBe("ok");
    expect(conversation.prompts[0]?.question).toContain(id);
    expect(await new ScheduleRepository(app.database).get(id)).toBeNull();
  });
});
