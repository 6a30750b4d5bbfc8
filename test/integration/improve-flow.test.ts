import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { EventRepository } from "../../src/db/repositories/event-repository.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { FeedbackRepository } from "../../src/db/repositories/feedback-repository.js";
import { startAgentsApp } from "../support/agents-app.js";
import { chatRequest, RecordingConversation } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { startFakeAnthropic } from "../support/fake-anthropic.js";
import type { FakeLlmServer } from "../support/fake-llm.js";

const GREET = [
  "name: greet",
  "inputs:",
  "  topic: { required: true }",
  "steps:",
  "  - id: draft",
  "    agent: { specialty: writer, prompt: 'Write a note about {{ input.topic }}.' }",
  "  - id: post",
  "    tool: template",
  "    with: { text: 'Note: {{ steps.draft.output.text }}' }",
];
const IMPROVED = GREET.map((line) => line.replace("'Note: ", "'Short note: "));

let anthropic: FakeLlmServer;
let testDb: TestDatabase;
let app: App | null = null;
let dir: string;

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
});
afterAll(async () => {
  await anthropic.close();
});
afterEach(async () => {
  await app?.close();
  app = null;
  await testDb.drop();
});

async function start(env: Record<string, string>, fresh = true): Promise<App> {
  if (fresh) {
    testDb = sqliteDatabase();
    dir = tempDir("improve");
    writeFileSync(join(dir, "greet.yaml"), `${GREET.join("\n")}\n`);
  }
  app = await startAgentsApp({ url: testDb.url, workflowsDir: dir, env });
  return app;
}

const llm = () => ({ ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: anthropic.url });

async function send(text: string) {
  const conversation = new RecordingConversation(true);
  const outcome = await (app as App).dispatcher.dispatch(chatRequest(text), conversation);
  return { ...(await outcome.settled), conversation };
}

async function run(topic: string): Promise<string> {
  const { result } = await send(`/orchestrate run greet topic=${topic}`);
  const id = result?.type === "workflow.run" ? result.execution.id : "";
  await (app as App).followUps.waitUntilSettled(id);
  return id;
}

describe("/improve", () => {
  it("proposes a version, replays it on the recorded run, applies it, and rolls it back", async () => {
    await start(llm());
    anthropic.enqueue({ text: "Release 1.2 ships Friday." });
    const first = await run("release");

    anthropic.enqueue({
      toolCall: {
        name: "propose_workflow",
        arguments: { yaml: IMPROVED.join("\n"), summary: "Label the post as a short note." },
      },
    });
    const improve = await send("/improve call it a short note");
    // Acknowledged at once, then the same message is edited with the proposal.
    expect(improve.conversation.posts[0]?.text).toContain(`feedback recorded on \`${first}\` (greet)`);
    expect(improve.result).toMatchObject({ type: "improve.proposal", summary: "Label the post as a short note." });
    const text = improve.conversation.updates[0]?.text ?? "";
    expect(text).toContain(
      [
        '-      text: "Note: {{ steps.draft.output.text }}"',
        '+      text: "Short note: {{ steps.draft.output.text }}"',
      ].join("\n"),
    );
    // Hunks, not the whole file: the change is in the last step, far from the workflow's name.
    expect(text).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@$/m);
    expect(text).not.toContain("name: greet");
    expect(text).toContain("Replay: succeeded");
    expect(text).toContain('draft: succeeded (recorded) — {"text":"Release 1.2 ships Friday."');
    expect(text).toContain('post: succeeded (ran) — {"text":"Short note: Release 1.2 ships Friday."}');
    // The recorded agent output stood in: one LLM call for the run, one for the improver, none for the replay.
    const purposes = await (app as App).database.models.LlmCall.findAll({ raw: true });
    expect(purposes.map((c) => c.purpose)).toEqual(["agent", "improve"]);

    const applied = await send("/orchestrate approve imp_1");
    expect(applied.reply.text).toContain("greet v2 is current");
    anthropic.enqueue({ text: "Deploy at noon." });
    const second = await run("deploy");
    const executions = new ExecutionRepository((app as App).database);
    expect((await executions.get(first))?.workflowVersion).toBe(1);
    expect((await executions.get(second))?.output).toMatchObject({ post: { text: "Short note: Deploy at noon." } });

    // The applied version survives a restart although the file still holds version 1.
    await (app as App).close();
    await start(llm(), false);
    const shown = await send("/orchestrate show greet");
    expect(shown.result).toMatchObject({ type: "workflow.show", workflow: { currentVersion: 2 } });

    const rolled = await send("/orchestrate rollback greet 1");
    expect(rolled.reply.text).toBe("↩️ greet is on v1 again (was v2).");
    const again = await send("/orchestrate approve imp_1");
    expect(again.reply.text).toContain("Proposal `imp_1` was already applied.");

    await (app as App).eventLog.flush();
    const events = await new EventRepository((app as App).database).since(new Date(0), [
      "feedback.received",
      "improvement.proposed",
      "improvement.applied",
      "improvement.rolled_back",
    ]);
    expect(events.map((e) => e.type)).toEqual([
      "feedback.received",
      "improvement.proposed",
      "improvement.applied",
      "improvement.rolled_back",
    ]);
  });

  it("refuses to apply a proposal that is the current version exactly, saving no version", async () => {
    await start(llm());
    anthropic.enqueue({ text: "Hi." });
    await run("hi");
    anthropic.enqueue({
      toolCall: { name: "propose_workflow", arguments: { yaml: GREET.join("\n"), summary: "" } },
    });
    await send("/improve shorter");
    const applied = await send("/orchestrate approve imp_1");
    expect(applied.reply.text).toMatch(
      /^`imp_1` changes nothing: greet v1 is already exactly that, so no version was saved;/,
    );
    const shown = await send("/orchestrate show greet");
    expect(shown.result).toMatchObject({ workflow: { currentVersion: 1 } });
    const discarded = await send("/orchestrate reject imp_1");
    expect(discarded.reply.text).toBe("Discarded `imp_1`.");
  });

  it("discards a proposal on reject", async () => {
    await start(llm());
    anthropic.enqueue({ text: "Hi." });
    await run("hi");
    anthropic.enqueue({
      toolCall: { name: "propose_workflow", arguments: { yaml: IMPROVED.join("\n"), summary: "" } },
    });
    await send("/improve shorter");
    const discarded = await send("/orchestrate reject imp_1");
    expect(discarded.reply.text).toBe("Discarded `imp_1`.");
    const shown = await send("/orchestrate show greet");
    expect(shown.result).toMatchObject({ workflow: { currentVersion: 1 } });
  });

  it("stores feedback for review when there is no LLM", async () => {
    await start({});
    const id = await run("x");
    const ack = await send(`/improve ex=${id} the note should mention the date`);
    expect(ack.reply.text).toContain("Stored; it is listed as awaiting review.");
    const waiting = await new FeedbackRepository((app as App).database).awaitingReview();
    expect(waiting.map((f) => [f.executionId, f.text, f.status])).toEqual([
      [id, "the note should mention the date", "awaiting_review"],
    ]);
    const status = await send("/orchestrate status");
    expect(status.result).toMatchObject({ status: { agents: { active: 0, feedbackAwaitingReview: 1 } } });
    const fields = status.reply.blocks.find((b) => b.type === "fields");
    expect(fields && "fields" in fields ? fields.fields : []).toContainEqual({
      label: "Feedback awaiting review",
      value: "1",
    });
  });

  it("refuses a proposal that does not validate, keeping the feedback for review", async () => {
    await start(llm());
    anthropic.enqueue({ text: "Hi." });
    await run("hi");
    const broken = GREET.map((line) => line.replace("tool: template", "tool: shell"));
    anthropic.enqueue({ toolCall: { name: "propose_workflow", arguments: { yaml: broken.join("\n"), summary: "" } } });
    const outcome = await send("/improve do more");
    expect(outcome.reply.text).toContain("Feedback recorded, but no proposal:");
    expect(outcome.reply.text).toContain("shell");
    const waiting = await new FeedbackRepository((app as App).database).awaitingReview();
    expect(waiting.map((f) => f.status)).toEqual(["awaiting_review"]);
  });
});
