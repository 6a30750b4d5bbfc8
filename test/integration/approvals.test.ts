import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { renderText } from "../../src/bot/console/text-renderer.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { type ExecutionRecord, ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { chatRequest, RecordingConversation, startTestApp } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";
import { grantRole } from "../support/grants.js";

function workflows(): string {
  const dir = tempDir("approvals");
  const write = (name: string, lines: string[]) => writeFileSync(join(dir, `${name}.yaml`), `${lines.join("\n")}\n`);
  write("gate", [
    "name: gate",
    "inputs:",
    "  who: { required: true }",
    "steps:",
    "  - id: prepare",
    "    tool: template",
    '    with: { text: "deploy for {{ input.who }}" }',
    "  - id: confirm",
    "    approval:",
    '      prompt: "Ship it for {{ input.who }}?"',
    "      approvers: [console:grace, lin]",
    "      allowRequester: false",
    "  - id: ship",
    "    tool: template",
    '    with: { text: "shipped, approved by {{ steps.confirm.output.by }}" }',
  ]);
  write("rolegate", [
    "name: rolegate",
    "steps:",
    "  - id: confirm",
    "    approval:",
    "      prompt: Release?",
    "      approvers: [role:approver]",
  ]);
  write("timed", [
    "name: timed",
    "steps:",
    "  - id: confirm",
    "    timeoutMs: 300",
    "    approval: { prompt: Go ahead?, onTimeout: approve }",
    "  - id: done",
    "    tool: template",
    '    with: { text: "went ahead" }',
  ]);
  write("soft", [
    "name: soft",
    "steps:",
    "  - id: ask",
    "    onError: continue",
    "    approval: { prompt: Announce the outage? }",
    "  - id: announce",
    "    when: steps.ask.output.approved == true",
    "    tool: template",
    '    with: { text: "announced" }',
    "  - id: note",
    "    tool: template",
    '    with: { text: "announcement declined by {{ steps.ask.output.by }}" }',
  ]);
  return dir;
}

const ada = { id: "ada", name: "Ada", platform: "console" };
const grace = { id: "grace", name: "Grace", platform: "console" };
const lin = { id: "lin", name: "Lin", platform: "console" };

let testDb: TestDatabase;
let app: App;

beforeAll(async () => {
  testDb = sqliteDatabase();
  app = await startTestApp({
    url: testDb.url,
    workflowsDir: workflows(),
    env: { BATON_LEASE_MS: "1000", BATON_ADMINS: "console:ada,console:grace,console:lin" },
  });
});

afterAll(async () => {
  await app.close();
  await testDb.drop();
});

async function say(text: string, actor = ada) {
  const outcome = await app.dispatcher.dispatch(chatRequest(text, { actor }), new RecordingConversation(true));
  const settled = await outcome.settled;
  return { outcome, ...settled };
}

async function execution(id: string): Promise<ExecutionRecord | null> {
  return new ExecutionRepository(app.database).get(id);
}

async function startRun(text: string) {
  const { result, reply } = await say(text);
  const id = result?.type === "workflow.run" ? result.execution.id : "";
  return { id, reply };
}

describe("approval steps", () => {
  it("pause the run, show what they ask, and resume when a listed approver approves", async () => {
    const { id, reply } = await startRun("/orchestrate run gate who=Ada");
    expect((await execution(id))?.status).toBe("waiting");
    const text = renderText(reply);
    expect(text).toContain("Approval needed (console:grace, lin may decide): Ship it for Ada?");
    expect(text).toContain(`/orchestrate approve ${id} [note]`);

    const byRequester = await say(`/orchestrate approve ${id}`, ada);
    expect(byRequester.outcome.outcome).toBe("denied");
    expect((await execution(id))?.status).toBe("waiting");

    const approved = await say(`/orchestrate approve ${id} looks good`, lin);
    expect(approved.outcome.outcome).toBe("ok");
    const done = await execution(id);
    expect(done?.status).toBe("succeeded");
    const attempts = await new ExecutionRepository(app.database).attempts(id);
    expect(attempts.map((a) => [a.stepPath, a.stepKind, a.status])).toEqual([
      ["prepare", "tool", "succeeded"],
      ["confirm", "approval", "succeeded"],
      ["ship", "tool", "succeeded"],
    ]);
    expect(attempts[1]?.output).toMatchObject({ approved: true, by: "Lin", note: "looks good" });
    expect(attempts[2]?.output).toEqual({ text: "shipped, approved by Lin" });
  });

  it("may name a role: someone granted it decides, an admin without it may not", async () => {
    await grantRole(app.database, "console:bob", "approver");
    const { id } = await startRun("/orchestrate run rolegate");
    expect((await execution(id))?.status).toBe("waiting");
    const byAdmin = await say(`/orchestrate approve ${id}`, grace);
    expect(byAdmin.outcome.outcome).toBe("denied");
    expect(byAdmin.outcome.reply.text).toBe(`Only role:approver may decide on \`${id}\`.`);
    const byApprover = await say(`/orchestrate approve ${id}`, { id: "bob", name: "Bob", platform: "console" });
    expect(byApprover.outcome.outcome).toBe("ok");
    expect((await execution(id))?.status).toBe("succeeded");
  });

  it("fail the run when rejected, with the reason", async () => {
    const { id } = await startRun("/orchestrate run gate who=Ada");
    const rejected = await say(`/orchestrate reject ${id} not on a Friday`, grace);
    expect(rejected.outcome.outcome).toBe("ok");
    expect(await execution(id)).toMatchObject({
      status: "failed",
      errorCode: "rejected",
      errorMessage: "Rejected by Grace: not on a Friday",
    });
    const again = await say(`/orchestrate approve ${id}`, lin);
    expect(again.outcome.outcome).toBe("invalid");
  });

  it("let the run go on after a rejection when the step says onError: continue", async () => {
    const { id } = await startRun("/orchestrate run soft");
    await say(`/orchestrate reject ${id}`, grace);
    const done = await execution(id);
    expect(done?.status).toBe("succeeded");
    const attempts = await new ExecutionRepository(app.database).attempts(id);
    expect(attempts.map((a) => [a.stepPath, a.status])).toEqual([
      ["ask", "failed"],
      ["announce", "skipped"],
      ["note", "succeeded"],
    ]);
    expect(attempts[2]?.output).toEqual({ text: "announcement declined by Grace" });
  });

  it("take their default action when the timeout passes, and audit it", async () => {
    const { id } = await startRun("/orchestrate run timed");
    expect((await execution(id))?.status).toBe("waiting");
    await eventually(async () => (await execution(id))?.status === "succeeded", "the run going on after its timeout");
    const attempts = await new ExecutionRepository(app.database).attempts(id);
    expect(attempts[0]?.output).toMatchObject({ approved: true, by: "timeout" });
    const audit = await new AuditRepository(app.database).recent({ limit: 20 });
    expect(audit.find((row) => row.platform === "orchestrator" && row.executionId === id)).toMatchObject({
      commandType: "execution.approve",
      outcome: "ok",
      actorId: "baton",
    });
  });

  it("are closed when the waiting run is cancelled", async () => {
    const { id } = await startRun("/orchestrate run gate who=Ada");
    const cancel = await say(`/orchestrate cancel ${id}`, grace);
    expect(cancel.outcome.outcome).toBe("ok");
    const cancelled = await execution(id);
    expect(cancelled).toMatchObject({ status: "cancelled", waitingFor: null });
    const attempts = await new ExecutionRepository(app.database).attempts(id);
    expect(attempts.find((a) => a.stepPath === "confirm")?.status).toBe("cancelled");
    expect((await say(`/orchestrate approve ${id}`, lin)).outcome.outcome).toBe("invalid");
  });
});
