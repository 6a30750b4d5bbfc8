import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { AgentRepository } from "../../src/db/repositories/agent-repository.js";
import { EventRepository } from "../../src/db/repositories/event-repository.js";
import { startAgentsApp, workflowsWithBrokenOne } from "../support/agents-app.js";
import { chatRequest, RecordingConversation } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { startFakeAnthropic } from "../support/fake-anthropic.js";
import { FakeClock } from "../support/fake-clock.js";
import type { FakeLlmServer } from "../support/fake-llm.js";

let anthropic: FakeLlmServer;
let testDb: TestDatabase;
let app: App | null = null;

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
  anthropic.requests.length = 0;
});

async function start(env: Record<string, string> = {}, clock?: FakeClock): Promise<App> {
  testDb = sqliteDatabase();
  app = await startAgentsApp({
    url: testDb.url,
    workflowsDir: workflowsWithBrokenOne(),
    env: { ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: anthropic.url, ...env },
    ...(clock && { clock }),
  });
  return app;
}

async function send(text: string) {
  const conversation = new RecordingConversation(true);
  const outcome = await (app as App).dispatcher.dispatch(chatRequest(text, { thread: "t-1" }), conversation);
  const settled = await outcome.settled;
  return { ...settled, conversation };
}

describe("specialist agents", () => {
  it("spawn one from a specialty and the context, persisted with its composed prompt", async () => {
    await start();
    const { result } = await send("/orchestrate spawn writer release notes for 1.2");
    if (result?.type !== "agent.spawn") throw new Error(`expected agent.spawn, got ${result?.type}`);
    expect(result.agent.id).toMatch(/^writer_[0-9a-f]{16}$/);
    const stored = await new AgentRepository((app as App).database).get(result.agent.id);
    expect(stored).toMatchObject({ specialty: "writer", status: "active", createdBy: "ada", channel: "test" });
    expect(stored?.config.systemPrompt).toContain("Requested by Ada in test. Goal: release notes for 1.2");
    expect(stored?.config).toMatchObject({ temperature: 0.7, tools: [], maxTurns: 8 });
    await (app as App).eventLog.flush();
    const events = await new EventRepository((app as App).database).since(new Date(0), ["agent.spawned"]);
    expect(events.map((e) => e.agentId)).toEqual([result.agent.id]);
  });

  it("answer `ask` in the thread, grounded in the orchestrator's own records through the tool loop", async () => {
    await start();
    // Nothing is queued yet, so the fake LLM server answers the workflow's GET with a 500: the run fails.
    const run = await send(`/orchestrate run broken url=${anthropic.url}/missing`);
    const executionId = run.result?.type === "workflow.run" ? run.result.execution.id : "";
    const settled = await (app as App).followUps.waitUntilSettled(executionId);
    expect(settled).toMatchObject({ status: "failed" });
    const question = "why did yesterday's broken run fail?";
    anthropic.enqueue(
      // The router first turns the plain question into `ask`, then the agent takes three turns.
      { toolCall: { name: "ask", arguments: { question } } },
      { toolCall: { name: "executions", arguments: { workflow: "broken", status: "failed" } } },
      { toolCall: { name: "execution", arguments: { execution: executionId } } },
      { text: `Run ${executionId} failed at step fetch: input.missing was not given.` },
    );
    const { result, reply } = await send(question);
    expect(result).toMatchObject({ type: "ask", agent: { specialty: "ops" }, answer: { turns: 3, capped: false } });
    expect(reply.text).toBe(`Run ${executionId} failed at step fetch: input.missing was not given.`);

    const [first, second, third] = anthropic.requests
      .filter((r) => r.method === "POST")
      .slice(1)
      .map((r) => r.body);
    expect(first.system[0].text).toContain("You are baton's ops specialist");
    expect(first.system[0].text).toContain("Ada asked in test (thread t-1)");
    expect(first.tools.map((t: { name: string }) => t.name)).toEqual(["status", "executions", "execution", "history"]);
    const listed = JSON.parse(second.messages.at(-1).content[0].content);
    expect(listed.map((e: { id: string }) => e.id)).toEqual([executionId]);
    const detail = JSON.parse(third.messages.at(-1).content[0].content);
    expect(detail).toMatchObject({ id: executionId, status: "failed", steps: [{ step: "fetch", status: "failed" }] });
    const calls = await (app as App).database.models.LlmCall.findAll({ raw: true });
    expect(calls.map((c) => c.purpose)).toEqual(["route", "agent", "agent", "agent"]);
  });

  it("stop the tool loop at the turn cap with a sentence instead of an answer", async () => {
    await start({ BATON_AGENT_MAX_TURNS: "3" });
    for (let i = 0; i < 3; i += 1) anthropic.enqueue({ toolCall: { name: "status", arguments: {} } });
    const { result } = await send("/orchestrate ask what is running specialty=ops");
    expect(result).toMatchObject({ type: "ask", answer: { turns: 3, capped: true, toolCalls: ["status", "status"] } });
    if (result?.type !== "ask") throw new Error("expected ask");
    expect(result.answer.text).toBe("I stopped after 3 turns without a final answer; ask a narrower question.");
    expect(anthropic.requests).toHaveLength(3);
  });

  it("keep at most N agents in memory, evicting the least recently used and rebuilding it from its row", async () => {
    const started = await start({ BATON_AGENT_POOL_SIZE: "2" });
    const ids: string[] = [];
    for (const specialty of ["writer", "critic", "planner"]) {
      const { result } = await send(`/orchestrate spawn ${specialty}`);
      if (result?.type === "agent.spawn") ids.push(result.agent.id);
    }
    const { pool } = started.agents;
    expect(ids.map((id) => pool.isLive(id))).toEqual([false, true, true]);
    const list = await send("/orchestrate agents");
    expect(list.reply.text).toContain("3 active agents");
    expect(list.reply.text).toContain(`\`${ids[0]}\` writer`);

    const rebuilt = await pool.use(ids[0] as string);
    expect(rebuilt.config.systemPrompt).toContain("You are baton's writer specialist");
    expect(pool.rebuilt).toBe(1);
    expect(ids.map((id) => pool.isLive(id))).toEqual([true, false, true]);
    expect(pool.size).toBe(2);
  });

  it("continue a thread with its agent, rebuilt from its row after eviction", async () => {
    const started = await start({ BATON_AGENT_POOL_SIZE: "1" });
    anthropic.enqueue({ text: "First answer." }, { text: "Second answer." });
    const first = await send("/orchestrate ask draft a haiku specialty=writer");
    if (first.result?.type !== "ask") throw new Error("expected ask");
    const writer = first.result.agent.id;
    // Another agent takes the only place in memory.
    await send("/orchestrate spawn critic");
    expect(started.agents.pool.isLive(writer)).toBe(false);
    const second = await send("/orchestrate ask now a shorter one specialty=writer");
    expect(second.result).toMatchObject({ type: "ask", agent: { id: writer } });
    expect(started.agents.pool.rebuilt).toBe(1);
    const posts = anthropic.requests.filter((r) => r.method === "POST").map((r) => r.body);
    expect(posts[1].system[0].text).toBe(posts[0].system[0].text);
  });

  it("load a team's specialties file, and refuse to start on a bad one naming file and field", async () => {
    const dir = tempDir("team");
    const good = join(dir, "team.yaml");
    writeFileSync(
      good,
      "specialties:\n  triage: { purpose: Sorts incidents., prompt: 'Triage for {{ asked_by }}.' }\n",
    );
    await start({ BATON_SPECIALTIES_FILE: good });
    const { result } = await send("/orchestrate spawn triage");
    expect(result).toMatchObject({ type: "agent.spawn", agent: { specialty: "triage" } });
    await (app as App).close();
    app = null;
    await testDb.drop();

    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "specialties:\n  triage: { purpose: x, prompt: y, route: [gemini] }\n");
    await expect(start({ BATON_SPECIALTIES_FILE: bad })).rejects.toThrow(`${bad}: specialties.triage.route.0:`);
  });

  it("retire agents idle longer than the limit, and on request", async () => {
    const clock = new FakeClock();
    const started = await start({ BATON_AGENT_IDLE_HOURS: "24" }, clock);
    const spawn = async (specialty: string) => {
      const { result } = await send(`/orchestrate spawn ${specialty}`);
      return result?.type === "agent.spawn" ? result.agent.id : "";
    };
    const old = await spawn("writer");
    clock.advance(20 * 3_600_000);
    const recent = await spawn("critic");
    clock.advance(5 * 3_600_000);
    expect(await started.agents.pool.retireIdle()).toEqual([old]);
    // A unique prefix of the id (the specialty, `_` and a few hex digits) stands for the whole id.
    const retired = await send(`/orchestrate retire ${recent.slice(0, "critic_".length + 6)}`);
    expect(retired.reply.text).toBe(`Retired \`${recent}\` (critic).`);
    const again = await send(`/orchestrate retire ${recent}`);
    expect(again.reply.text).toContain(`There is no active agent \`${recent}\``);

    const repo = new AgentRepository(started.database);
    expect((await repo.get(old))?.status).toBe("retired");
    await started.eventLog.flush();
    const events = await new EventRepository(started.database).since(new Date(0), ["agent.retired"]);
    expect(events.map((e) => [e.agentId, e.payload.reason])).toEqual([
      [old, "idle"],
      [recent, "retired"],
    ]);
  });
});
