import { afterEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { EventRepository } from "../../src/db/repositories/event-repository.js";
import { chatRequest, RecordingConversation, startTestApp, workflowsWithSlowOne } from "../support/app.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";

let app: App | null = null;
let testDb: TestDatabase | null = null;

afterEach(async () => {
  await app?.close();
  app = null;
  await testDb?.drop();
  testDb = null;
});

describe.each(DATABASE_KINDS)("the event log on $kind", ({ create }) => {
  it("persists workflow and step events of a run, and typed events anyone emits", async () => {
    testDb = await create();
    app = await startTestApp({ url: testDb.url, workflowsDir: workflowsWithSlowOne() });
    const started = new Date(Date.now() - 1000);
    const outcome = await app.dispatcher.dispatch(
      chatRequest("/orchestrate run hello name=Ada"),
      new RecordingConversation(),
    );
    const { result } = await outcome.settled;
    const id = result?.type === "workflow.run" ? result.execution.id : "";
    app.events.emit("pattern.recognized", {
      shape: "workflow.run hello [name]",
      count: 3,
      actorId: "ada",
      command: { type: "workflow.run" },
    });
    await app.eventLog.flush();

    const events = new EventRepository(app.database);
    const ofRun = await events.forExecution(id);
    expect(ofRun.map((e) => e.type)).toEqual([
      "execution.started",
      "step.started",
      "step.finished",
      "execution.finished",
    ]);
    expect(ofRun[0]).toMatchObject({ actorId: "ada", payload: { workflow: "hello", version: 1 } });
    expect(ofRun[2]?.payload).toMatchObject({ stepPath: "greet", status: "succeeded" });
    expect(ofRun[3]?.payload).toMatchObject({ status: "succeeded" });

    const patterns = await events.since(started, ["pattern.recognized"]);
    expect(patterns).toHaveLength(1);
    expect(patterns[0]).toMatchObject({ actorId: "ada", payload: { shape: "workflow.run hello [name]", count: 3 } });
  });

  it("writes what is still buffered when the app closes", async () => {
    testDb = await create();
    app = await startTestApp({ url: testDb.url, workflowsDir: workflowsWithSlowOne() });
    const database = app.database;
    app.events.emit("feedback.received", {
      feedbackId: 1,
      actorId: "ada",
      executionId: null,
      workflow: null,
      text: "shorter please",
    });
    const reopened = await startTestApp({ url: testDb.url, workflowsDir: workflowsWithSlowOne(), resume: false });
    await app.close();
    app = reopened;
    expect(database).not.toBe(reopened.database);
    const stored = await new EventRepository(reopened.database).since(new Date(0), ["feedback.received"]);
    expect(stored.map((e) => e.payload.text)).toEqual(["shorter please"]);
  });
});
