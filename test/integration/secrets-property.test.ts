import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { renderResult } from "../../src/bot/render.js";
import { AgentRepository } from "../../src/db/repositories/agent-repository.js";
import { DigestRepository } from "../../src/db/repositories/digest-repository.js";
import { EventRepository } from "../../src/db/repositories/event-repository.js";
import { type ExecutionRecord, ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { FeedbackRepository } from "../../src/db/repositories/feedback-repository.js";
import { LlmCallRepository } from "../../src/db/repositories/llm-call-repository.js";
import { OrchestratorRunRepository } from "../../src/db/repositories/orchestrator-run-repository.js";
import { ProposalRepository } from "../../src/db/repositories/proposal-repository.js";
import { ScheduleRepository } from "../../src/db/repositories/schedule-repository.js";
import { SlackMessageRepository } from "../../src/db/repositories/slack-message-repository.js";
import { createLogger } from "../../src/logger.js";
import { isSecretKey } from "../../src/secrets/secret-keys.js";
import { chatRequest, RecordingConversation, startTestApp } from "../support/app.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { rawTables } from "../support/raw-tables.js";

/**
 * Issue 12: random objects with secrets at random depths, under random secret-named keys and as
 * token shapes inside strings, go through every store (real repositories, real database) and
 * every renderer; read back raw with SQL, the secret text appears nowhere.
 */

const alnum = (min: number, max: number) =>
  fc.string({
    unit: fc.constantFrom(..."ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"),
    minLength: min,
    maxLength: max,
  });
const upperDigits = (n: number) =>
  fc.string({ unit: fc.constantFrom(..."ABCDEFGHJKLMNPQRSTUVWXYZ234567"), minLength: n, maxLength: n });
/** Every planted secret carries a marker no ordinary text has, so it can be searched for. */
const marker = alnum(10, 14).map((tail) => `Qz9${tail}`);

/** A secret and the text that must never appear once it is stored or shown. */
interface Plant {
  key: string;
  value: string;
  needle: string;
}

const SECRET_KEY_WORDS = [
  "token",
  "password",
  "passwd",
  "pwd",
  "secret",
  "api_key",
  "apikey",
  "credential",
  "credentials",
  "private_key",
  "auth",
  "authorization",
  "auth_token",
];
const ORDINARY_KEYS = ["name", "env", "region", "note", "message", "url", "target", "count", "items", "detail"];

/** `DB_Password`, `x-api-key`, `githubToken`…: a secret word with random case, prefix and separator. */
const secretKey = fc
  .tuple(
    fc.constantFrom(...SECRET_KEY_WORDS),
    fc.constantFrom("", "db", "github", "x", "client", "service"),
    fc.constantFrom("_", "-", ".", ""),
    fc.boolean(),
  )
  .map(([word, prefix, sep, upper]) => {
    const key = prefix === "" ? word : `${prefix}${sep}${word}`;
    return upper ? key.toUpperCase() : key;
  })
  .filter(isSecretKey);

const keyedSecret: fc.Arbitrary<Plant> = fc
  .tuple(secretKey, marker)
  .map(([key, value]) => ({ key, value, needle: value }));

/** Token shapes with the secret part marked (built here, so no secret-shaped literal is committed). */
const shapedSecret: fc.Arbitrary<Plant> = fc
  .oneof(
    fc.tuple(fc.nat({ max: 999_999_999 }), marker).map(([n, m]) => `xoxb-${n}-${m}AbCdEf`),
    marker.map((m) => `ghp_${m}${"A1b2C3d4E5f6G7h8J9k0".slice(0, 36 - m.length)}xyzxyzxyzxyzxyzxyz`),
    marker.map((m) => `github_pat_11AB${m}_${m}defghijklmnop`),
    fc.tuple(fc.constantFrom("AKIA", "ASIA"), upperDigits(16)).map(([p, rest]) => `${p}${rest}`),
    marker.map((m) => `sk-ant-api03-${m}${m}`),
    marker.map((m) => `sk-proj-${m}${m}`),
    marker.map((m) => `redis://:${m}@cache.internal:6379/0`),
    fc.tuple(alnum(3, 8), marker).map(([user, m]) => `postgres://${user}:${m}@db.internal:5432/app`),
    marker.map((m) => `Bearer ${m}.payload.sig`),
    marker.map((m) => `password=${m}`),
    marker.map((m) => `wJal/K7MDENG${m}${"bPxRfiCYEXAMPLEKEYabcdefghij".slice(0, 28 - m.length)}`),
  )
  .map((text) => {
    const needle = needleOf(text);
    return { key: "", value: text, needle };
  });

function needleOf(text: string): string {
  const marked = /Qz9[A-Za-z0-9]+/.exec(text)?.[0];
  return marked ?? text;
}

const words = fc.constantFrom(
  "run the basic healthcheck",
  "deploy to staging",
  "Ada",
  "ok",
  "",
  "https://api.example.com/health",
);
const leaf = fc.oneof(words, fc.integer(), fc.boolean(), fc.constant(null));
const tree = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("node"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...ORDINARY_KEYS), tie("node"), { maxKeys: 4 }),
  ),
})).node;

/** A random object with each plant put into a random object node: under its key, or inside a sentence. */
const plantedObject = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...ORDINARY_KEYS), tree, { minKeys: 1, maxKeys: 4 }),
    fc.array(fc.oneof(keyedSecret, shapedSecret), { minLength: 1, maxLength: 4 }),
    fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
  )
  .map(([generated, plants, picks]) => {
    // fast-check reuses generated values while shrinking: plant into a copy.
    const root = structuredClone(generated);
    const nodes = objectNodes(root);
    plants.forEach((plant, index) => {
      const node = nodes[(picks[index] ?? 0) % nodes.length] ?? root;
      if (plant.key !== "") node[plant.key] = plant.value;
      else node[`note${index}`] = `see ${plant.value} for details`;
    });
    return { value: root as Record<string, unknown>, plants };
  });

function objectNodes(value: unknown, found: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(value)) for (const item of value) objectNodes(item, found);
  else if (value !== null && typeof value === "object") {
    found.push(value as Record<string, unknown>);
    for (const item of Object.values(value)) objectNodes(item, found);
  }
  return found;
}

/** A flat string map (workflow and schedule inputs) holding the plants. */
function asInput(plants: readonly Plant[]): Record<string, string> {
  const input: Record<string, string> = { env: "staging" };
  plants.forEach((plant, index) => {
    input[plant.key === "" ? `note${index}` : plant.key] = plant.key === "" ? `use ${plant.value}` : plant.value;
  });
  return input;
}

function sentence(plants: readonly Plant[]): string {
  return plants.map((plant) => (plant.key === "" ? plant.value : `${plant.key}=${plant.value}`)).join(" and ");
}

let sequence = 0;

function occurrences(text: string | undefined, needle: string): number {
  return text === undefined ? 0 : text.split(needle).length - 1;
}

describe.each(DATABASE_KINDS)("no secret survives any store or renderer ($kind)", ({ create }) => {
  let database: TestDatabase;
  let app: App;

  beforeAll(async () => {
    database = await create();
    app = await startTestApp({ url: database.url, resume: false });
  });

  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  async function writeEverywhere(sample: { value: Record<string, unknown>; plants: Plant[] }): Promise<string[]> {
    const db = app.database;
    const now = new Date();
    sequence += 1;
    const id = `ex_prop${sequence}`;
    const text = sentence(sample.plants);
    const input = asInput(sample.plants);
    const executions = new ExecutionRepository(db);
    const execution: ExecutionRecord = {
      id,
      workflowName: "hello",
      workflowVersion: 1,
      status: "running",
      input,
      output: null,
      errorCode: null,
      errorMessage: null,
      requestedBy: "ada",
      requestedByName: "Ada",
      platform: "console",
      channel: "test",
      thread: null,
      leaseOwner: "prop",
      leaseExpiresAt: new Date(now.getTime() + 60_000),
      waitingFor: null,
      createdAt: now,
      startedAt: now,
      finishedAt: null,
    };
    await executions.create(execution);
    const attemptId = await executions.startAttempt({
      executionId: id,
      stepPath: "greet",
      stepKind: "tool",
      tool: "template",
      attempt: 1,
      status: "running",
      input: sample.value,
      startedAt: now,
    });
    await executions.finishAttempt(attemptId, {
      status: "failed",
      output: sample.value,
      errorCode: "tool_error",
      errorMessage: `the tool said: ${text}`,
      finishedAt: now,
    });
    await executions.recordOwnedAttempt(
      {
        executionId: id,
        stepPath: "again",
        stepKind: "tool",
        tool: "template",
        attempt: 1,
        status: "succeeded",
        input: sample.value,
        output: sample.value,
        startedAt: now,
        finishedAt: now,
      },
      "prop",
    );
    await executions.transition(
      id,
      ["running"],
      { status: "failed", output: sample.value, errorCode: "tool_error", errorMessage: text, finishedAt: now },
      now,
    );
    await new EventRepository(db).append([
      { at: now, type: "pattern.recognized", executionId: id, agentId: null, actorId: "ada", payload: sample.value },
    ]);
    // The event log the engine writes through: a step.finished whose error quotes the secret.
    app.events.emit("step.finished", {
      id: attemptId,
      executionId: id,
      stepPath: "greet",
      stepKind: "tool",
      tool: "template",
      attempt: 1,
      status: "failed",
      input: sample.value,
      output: null,
      errorCode: "tool_error",
      errorMessage: `GET failed: ${text}`,
      startedAt: now,
      finishedAt: now,
    });
    app.events.emit("feedback.received", {
      feedbackId: sequence,
      executionId: id,
      workflow: "hello",
      actorId: "ada",
      text,
    } as never);
    await app.eventLog.flush();
    await new ScheduleRepository(db).create({
      id: `sch_prop${sequence}`,
      cron: "0 9 * * *",
      timeZone: "UTC",
      action: "workflow.run",
      workflow: "hello",
      input,
      platform: "console",
      channel: "test",
      enabled: false,
      missedPolicy: "skip",
      createdBy: "ada",
      source: "chat",
      createdAt: now,
      updatedAt: now,
    });
    const schedules = new ScheduleRepository(db);
    const fire = await schedules.claimFire({ scheduleId: `sch_prop${sequence}`, fireTime: now, owner: "prop", now });
    if (fire !== null) await schedules.finishFire(fire, "failed", `could not run: ${text}`, now);
    const feedback = await new FeedbackRepository(db).create({
      at: now,
      actorId: "ada",
      executionId: id,
      workflowName: "hello",
      workflowVersion: 1,
      text: `next time ${text}`,
      status: "awaiting_review",
      channel: "test",
      thread: null,
    });
    await new AgentRepository(db).create({
      id: `ag_prop${sequence}`,
      specialty: "researcher",
      config: {
        systemPrompt: `You help. Context: ${text}`,
        temperature: 0.2,
        tools: [],
        route: [],
        goal: text,
        maxTurns: 4,
        ...(sample.value as object),
      },
      createdBy: "ada",
      channel: "test",
      thread: null,
      createdAt: now,
      lastUsedAt: now,
    });
    await new ProposalRepository(db).create({
      at: now,
      feedbackId: feedback.id,
      workflowName: "hello",
      baseVersion: 1,
      definition: sample.value,
      diff: `+ ${text}`,
      replay: sample.value,
    });
    await new LlmCallRepository(db).record({
      at: now,
      provider: "anthropic",
      model: "claude",
      purpose: "agent",
      usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0 },
      costUsd: 0.001,
      latencyMs: 12,
      outcome: "error",
      errorCode: text,
      auditId: null,
      executionId: id,
      agentId: null,
      actorId: "ada",
    });
    await new OrchestratorRunRepository(db).record({
      id: `run_prop${sequence}`,
      trigger: "command",
      triggeredBy: "ada",
      mode: "manual",
      startedAt: now,
      finishedAt: now,
      decisions: [{ subject: id, decision: "retry", reason: text, outcome: "ok" }],
      actions: [text],
      statsBefore: {},
      statsAfter: {},
      outcome: "ok",
    });
    const digests = new DigestRepository(db);
    const { record } = await digests.openDelivery({
      idempotencyKey: `digest:prop${sequence}`,
      platform: "slack",
      channel: "C1",
      period: { start: now, end: now },
      requestedBy: "ada",
      now,
    });
    await digests.recordAttempt(record.id, 1, `Slack said: ${text}`);
    await new SlackMessageRepository(db).record({
      at: now,
      kind: "message",
      workspace: "T1",
      channel: "C1",
      ts: `${sequence}.000`,
      threadTs: null,
      userId: "U1",
      key: null,
      detail: text,
    });
    return [id];
  }

  it("stores nothing in clear: every column of every table, read back raw", async () => {
    await fc.assert(
      fc.asyncProperty(plantedObject, async (sample) => {
        // Shrinking replays values, so only what this run added counts: occurrences before and after.
        const before = await rawTables(app.database);
        await writeEverywhere(sample);
        const after = await rawTables(app.database);
        for (const plant of sample.plants) {
          const grew = Object.keys(after).filter(
            (table) => occurrences(after[table], plant.needle) > occurrences(before[table], plant.needle),
          );
          expect(grew, plant.needle).toEqual([]);
        }
      }),
      { numRuns: 25 },
    );
  });

  it("shows nothing in clear: the renderers over stored records and over live ones in memory", async () => {
    await fc.assert(
      fc.asyncProperty(plantedObject, async (sample) => {
        const [id = ""] = await writeEverywhere(sample);
        const time = { now: new Date(), timeZone: "UTC" };
        const stored = await app.followUps.executionDetail(id);
        const live: ExecutionRecord = { ...stored.execution, input: asInput(sample.plants), output: sample.value };
        const attempts = stored.attempts.map((attempt) => ({ ...attempt, input: sample.value, output: sample.value }));
        const agents = await new AgentRepository(app.database).active(500);
        const replies = [
          renderResult({ type: "execution.show", detail: stored }, time),
          renderResult({ type: "execution.show", detail: { ...stored, execution: live, attempts } }, time),
          renderResult({ type: "workflow.run", execution: live, detail: { ...stored, execution: live } }, time),
          renderResult({ type: "history", entries: await app.rows.audit.recent({ limit: 50 }) }, time),
          renderResult(
            {
              type: "agent.list",
              agents: agents.map((agent) => ({
                id: agent.id,
                specialty: agent.specialty,
                createdBy: agent.createdBy,
                channel: agent.channel,
                goal: agent.config.goal,
                lastUsedAt: agent.lastUsedAt,
                live: false,
              })),
              specialties: [],
            },
            time,
          ),
        ];
        const shown = JSON.stringify(replies);
        for (const plant of sample.plants) expect(shown).not.toContain(plant.needle);
      }),
      { numRuns: 15 },
    );
  });

  it("logs nothing in clear, in the message or any field", () => {
    fc.assert(
      fc.property(plantedObject, (sample) => {
        const lines: string[] = [];
        const logger = createLogger("debug", (line) => lines.push(line));
        const text = sentence(sample.plants);
        logger.error(`request failed: ${text}`, { request: sample.value, error: new Error(text) });
        for (const plant of sample.plants) expect(lines.join("")).not.toContain(plant.needle);
      }),
      { numRuns: 100 },
    );
  });

  it("refuses every typed secret in chat, so the audit row (text and command) is written redacted", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(keyedSecret, shapedSecret), { minLength: 1, maxLength: 3 }),
        async (plants) => {
          const args = plants.map((plant, index) =>
            plant.key === "" ? `note${index}=${plant.value}` : `${plant.key}=${plant.value}`,
          );
          const conversation = new RecordingConversation(true);
          const outcome = await app.dispatcher.dispatch(
            chatRequest(`/orchestrate run hello name=Ada ${args.join(" ")}`),
            conversation,
          );
          expect(outcome).toMatchObject({ outcome: "invalid", result: null });
          const row = await app.rows.audit.get(outcome.auditId ?? 0);
          expect(row?.errorCode).toBe("secret_in_chat");
          const stored = JSON.stringify([row, conversation.posts]);
          for (const plant of plants) expect(stored).not.toContain(plant.needle);
        },
      ),
      { numRuns: 25 },
    );
  });
});
