import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { chatRequest, RecordingConversation, startTestApp, workflowsWithSlowOne } from "../support/app.js";
import { DATABASE_KINDS, sqliteDatabase, type TestDatabase } from "../support/databases.js";

describe.each(DATABASE_KINDS)("dispatcher end to end on $kind", ({ create }) => {
  let database: TestDatabase;
  let app: App;
  let audit: AuditRepository;
  let executions: ExecutionRepository;

  beforeEach(async () => {
    database = await create();
    app = await startTestApp({ url: database.url, workflowsDir: workflowsWithSlowOne() });
    audit = new AuditRepository(app.database);
    executions = new ExecutionRepository(app.database);
  });

  afterEach(async () => {
    await app.close();
    await database.drop();
  });

  /** Starts a run without waiting for it to finish (the slow workflow waits 30 s). */
  async function start(text: string) {
    const outcome = await app.dispatcher.dispatch(chatRequest(text), new RecordingConversation(true));
    expect(outcome.outcome).toBe("ok");
    return outcome.result?.type === "workflow.run" ? outcome.result.execution.id : "";
  }

  async function say(text: string, conversation = new RecordingConversation(true), overrides = {}) {
    const outcome = await app.dispatcher.dispatch(chatRequest(text, overrides), conversation);
    const settled = await outcome.settled;
    const row = outcome.auditId === null ? null : await audit.get(outcome.auditId);
    return { outcome, settled, conversation, row };
  }

  it("runs the hello workflow from the grammar and records the execution and its step", async () => {
    const { outcome, settled, conversation, row } = await say("/orchestrate run hello name=Ada");
    expect(outcome.outcome).toBe("ok");
    expect(conversation.posts[0]?.text).toMatch(/Started hello as `ex_[0-9a-f]{16}`/);
    expect(settled.reply.text).toContain("Hello, Ada!");
    const executionId = row?.executionId ?? "";
    const stored = await executions.get(executionId);
    expect(stored).toMatchObject({
      workflowName: "hello",
      workflowVersion: 1,
      status: "succeeded",
      input: { name: "Ada" },
    });
    const attempts = await executions.attempts(executionId);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      stepPath: "greet",
      tool: "template",
      status: "succeeded",
      output: { text: "Hello, Ada!" },
    });
    expect(row).toMatchObject({ outcome: "ok", resolvedBy: "grammar", commandType: "workflow.run", actorId: "ada" });
    expect(row?.command).toEqual({ type: "workflow.run", workflow: "hello", input: { name: "Ada" } });
  });

  it("routes plain language through the rules router", async () => {
    await say("/orchestrate run hello name=Grace");
    const { outcome, settled, row } = await say("what's running?");
    expect(outcome.command).toEqual({ type: "status" });
    expect(settled.reply.text).toMatch(/baton status: 0 executions running/);
    expect(row).toMatchObject({ resolvedBy: "rules", outcome: "ok" });

    const natural = await say("run the hello workflow for Lin");
    expect(natural.outcome.command).toEqual({ type: "workflow.run", workflow: "hello", input: { name: "Lin" } });
    expect(natural.settled.reply.text).toContain("Hello, Lin!");

    const history = await say("show me the last 5 commands");
    expect(history.outcome.command).toEqual({ type: "history", limit: 5 });
    expect(history.settled.reply.text).toContain("run the hello workflow for Lin");
  });

  it("answers text it does not understand with suggestions and records it as invalid", async () => {
    const { outcome, conversation, row } = await say("purple monkey dishwasher");
    expect(outcome.outcome).toBe("invalid");
    expect(outcome.command).toBeNull();
    expect(conversation.posts).toHaveLength(1);
    expect(conversation.posts[0]?.tone).toBe("error");
    expect(row).toMatchObject({ outcome: "invalid", commandType: null, errorCode: "not_understood" });
  });

  it("writes an audit row when the handler throws, with the error in it", async () => {
    // A fault below the orchestrator: the executions table is gone, so starting a run throws.
    await app.database.sequelize.getQueryInterface().dropTable("step_attempts");
    await app.database.sequelize.getQueryInterface().dropTable("executions");
    const { outcome, conversation, row } = await say("/orchestrate run hello name=Ada");
    expect(outcome.outcome).toBe("error");
    expect(conversation.posts.at(-1)?.text).toMatch(/database refused/i);
    expect(row).toMatchObject({ outcome: "error", errorCode: "database_error", commandType: "workflow.run" });
    expect(row?.finishedAt).not.toBeNull();
    expect(row?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("waits for confirmation before cancelling, and changes nothing until then", async () => {
    const id = await start("/orchestrate run slow");
    const conversation = new RecordingConversation("ask");
    const pending = app.dispatcher.dispatch(chatRequest(`/orchestrate cancel ${id}`), conversation);
    await conversation.asked();
    expect(conversation.prompts[0]?.question).toContain(id);
    expect((await executions.get(id))?.status).toBe("running");
    conversation.decide(true);
    const outcome = await pending;
    expect(outcome.outcome).toBe("ok");
    expect(conversation.posts.at(-1)?.text).toContain(`Cancelled \`${id}\``);
    const cancelled = await executions.get(id);
    expect(cancelled?.status).toBe("cancelled");
    const attempts = await executions.attempts(id);
    expect(attempts.map((a) => [a.stepPath, a.status])).toEqual([["nap", "cancelled"]]);
  });

  it("changes nothing when the confirmation is declined", async () => {
    const id = await start("/orchestrate run slow");
    const { outcome, row } = await say(`/orchestrate cancel ${id}`, new RecordingConversation(false));
    expect(outcome.outcome).toBe("denied");
    expect(row).toMatchObject({ outcome: "denied", errorCode: "confirmation_declined" });
    expect((await executions.get(id))?.status).toBe("running");
  });

  it("runs a redelivered event once", async () => {
    const request = chatRequest("/orchestrate status");
    const first = await app.dispatcher.dispatch(request, new RecordingConversation());
    const again = new RecordingConversation();
    const second = await app.dispatcher.dispatch(request, again);
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(again.posts).toHaveLength(0);
    const rows = await audit.recent({ limit: 10 });
    expect(rows.filter((r) => r.dedupeKey === request.dedupeKey)).toHaveLength(1);
  });

  it("redacts secrets before they reach the audit log", async () => {
    const token = ["xoxb", "123456789012", "123456789012", "AbCdEfGhIjKlMnOpQrStUvWx"].join("-");
    const { row } = await say(`/orchestrate run hello name=Ada token=${token}`);
    expect(row?.text).not.toContain(token);
    expect(row?.text).toContain("[REDACTED");
    expect(JSON.stringify(row?.command ?? null)).not.toContain(token);
  });

  it("records running executions as interrupted when baton shuts down", async () => {
    const id = await start("/orchestrate run slow");
    await app.close();
    const reopened = await startTestApp({ url: database.url, workflowsDir: workflowsWithSlowOne(), resume: false });
    try {
      const repo = new ExecutionRepository(reopened.database);
      expect((await repo.get(id))?.status).toBe("interrupted");
      expect((await repo.attempts(id)).map((a) => a.status)).toEqual(["interrupted"]);
      const status = await reopened.dispatcher.dispatch(
        chatRequest("/orchestrate status"),
        new RecordingConversation(),
      );
      expect(status.reply.blocks.some((b) => b.type === "list" && b.items.some((i) => i.includes(id)))).toBe(true);
    } finally {
      app = reopened;
    }
  });

  it("records a run that arrives while baton shuts down as interrupted, not running", async () => {
    const pending = app.dispatcher.dispatch(chatRequest("/orchestrate run slow"), new RecordingConversation(true));
    await app.close();
    const outcome = await pending;
    const id = outcome.result?.type === "workflow.run" ? outcome.result.execution.id : "";
    const reopened = await startTestApp({ url: database.url, workflowsDir: workflowsWithSlowOne(), resume: false });
    app = reopened;
    expect((await new ExecutionRepository(reopened.database).get(id))?.status).toBe("interrupted");
    expect((await new AuditRepository(reopened.database).get(outcome.auditId ?? 0))?.outcome).not.toBe("pending");
  });

  it("accepts identifiers longer than their columns instead of losing the request", async () => {
    const actor = { id: `U${"x".repeat(300)}`, name: "n".repeat(400), platform: "console", owner: true };
    const { outcome, row } = await say("/orchestrate run hello name=Ada", new RecordingConversation(true), {
      actor,
      channel: "c".repeat(300),
      dedupeKey: `evt-${"k".repeat(400)}`,
    });
    expect(outcome.outcome).toBe("ok");
    expect(row?.actorId).toHaveLength(128);
    expect(row?.actorId.startsWith("Uxxx")).toBe(true);
    expect((await executions.get(row?.executionId ?? ""))?.status).toBe("succeeded");
  });

  it("does not run a workflow with a secret typed as its input (issue 12: nothing runs with it)", async () => {
    const secret = ["sk-proj", "AbCdEfGhIjKlMnOpQrStUvWxYz012345"].join("-");
    const { row, settled } = await say(`/orchestrate run hello name=${secret}`);
    expect(settled.reply.text).toMatch(/^baton did not store or run this request because `name` is a secret/);
    expect(row).toMatchObject({ outcome: "invalid", errorCode: "secret_in_chat", executionId: null });
    expect(JSON.stringify([row, await executions.list({ limit: 50 })])).not.toContain(secret);
  });
});

describe("policy with BATON_ADMINS", () => {
  let database: TestDatabase;
  let app: App;

  beforeEach(async () => {
    database = sqliteDatabase();
    app = await startTestApp({ url: database.url, env: { BATON_ADMINS: "console:grace" } });
  });

  afterEach(async () => {
    await app.close();
    await database.drop();
  });

  it("lets anyone read but only admins change state", async () => {
    const audit = new AuditRepository(app.database);
    const reader = new RecordingConversation();
    const lin = { actor: { id: "lin", name: "Lin", platform: "console" } };
    const status = await app.dispatcher.dispatch(chatRequest("/orchestrate status", lin), reader);
    expect(status.outcome).toBe("ok");
    const help = await app.dispatcher.dispatch(chatRequest("/orchestrate help", lin), new RecordingConversation());
    expect(help.reply.text).toContain("/orchestrate status");
    expect(help.reply.text).not.toContain("/orchestrate run <workflow>");
    const denied = await app.dispatcher.dispatch(
      chatRequest("/orchestrate run hello name=Ada", lin),
      new RecordingConversation(),
    );
    expect(denied.outcome).toBe("denied");
    expect(denied.reply.text).toBe(
      "You may not run `workflow.run` here: it needs the operator role and you are a viewer; ask an admin (console:grace).",
    );
    expect(await audit.get(denied.auditId ?? 0)).toMatchObject({ outcome: "denied", errorCode: "denied" });
    const admin = { id: "grace", name: "Grace", platform: "console" };
    const allowed = await app.dispatcher.dispatch(
      chatRequest("/orchestrate run hello name=Ada", { actor: admin }),
      new RecordingConversation(),
    );
    expect(allowed.outcome).toBe("ok");
    await allowed.settled;
  });
});
