/**
 * `npm run bench:engine` — the durable workflow engine on SQLite against LangGraph.js with its
 * SQLite checkpointer, the same two workflows measured in the same run:
 * - a 5-step linear workflow of no-op steps (ms per durable step, executions per second);
 * - a 4-way parallel fan-out with a join (ms per run).
 * Last line: JSON with ms_per_step, peer_ms_per_step, fanout_ms_per_run, peer_fanout_ms_per_run.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { createApp } from "../src/app.js";
import { ADMIN_PERMISSION } from "../src/commands/context.js";
import { loadConfig } from "../src/config.js";
import { silentLogger } from "../src/logger.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const context = {
  actor: { id: "bench", name: "bench", platform: "console" },
  origin: { platform: "console", workspace: null, channel: null, thread: null },
  permission: ADMIN_PERMISSION,
};

function workflowsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-wf-"));
  const noop = (id: string, indent: string) => [
    `${indent}- id: ${id}`,
    `${indent}  tool: template`,
    `${indent}  with: { text: "${id}" }`,
  ];
  const linear = ["name: linear", "steps:", ...["s1", "s2", "s3", "s4", "s5"].flatMap((id) => noop(id, "  "))];
  const fanout = [
    "name: fanout",
    "steps:",
    "  - id: fan",
    "    parallel:",
    "      steps:",
    ...["a", "b", "c", "d"].flatMap((id) => noop(id, "        ")),
    ...noop("join", "  "),
  ];
  writeFileSync(join(dir, "linear.yaml"), `${linear.join("\n")}\n`);
  writeFileSync(join(dir, "fanout.yaml"), `${fanout.join("\n")}\n`);
  return dir;
}

async function timeRuns(run: (i: number) => Promise<void>): Promise<number> {
  for (let i = 0; i < 10; i += 1) await run(-i - 1); // warm-up
  const started = performance.now();
  for (let i = 0; i < RUNS; i += 1) await run(i);
  return (performance.now() - started) / RUNS;
}

async function baton(dir: string): Promise<{ linear: number; fanout: number }> {
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dir, "baton.db")}`,
    BATON_WORKFLOWS_DIR: workflowsDir(),
    LOG_LEVEL: "silent",
  });
  const app = await createApp(config, silentLogger, { frontEnds: ["bench"], resume: false });
  const runOne = (workflow: string) => async () => {
    const result = await app.orchestrator.handle({ type: "workflow.run", workflow, input: {} }, context);
    if (result.type !== "workflow.run") throw new Error("unexpected result");
    const done = await app.followUps.waitUntilSettled(result.execution.id);
    if (done?.status !== "succeeded") throw new Error(`run ${result.execution.id} ${done?.status}`);
  };
  try {
    return { linear: await timeRuns(runOne("linear")), fanout: await timeRuns(runOne("fanout")) };
  } finally {
    await app.close();
  }
}

async function langgraph(dir: string): Promise<{ linear: number; fanout: number }> {
  const State = Annotation.Root({ count: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }) });
  const step = () => ({ count: 1 });
  const checkpointer = SqliteSaver.fromConnString(join(dir, "langgraph.db"));
  const linear = new StateGraph(State)
    .addNode("s1", step)
    .addNode("s2", step)
    .addNode("s3", step)
    .addNode("s4", step)
    .addNode("s5", step)
    .addEdge(START, "s1")
    .addEdge("s1", "s2")
    .addEdge("s2", "s3")
    .addEdge("s3", "s4")
    .addEdge("s4", "s5")
    .addEdge("s5", END)
    .compile({ checkpointer });
  const fanout = new StateGraph(State)
    .addNode("a", step)
    .addNode("b", step)
    .addNode("c", step)
    .addNode("d", step)
    .addNode("join", step)
    .addEdge(START, "a")
    .addEdge(START, "b")
    .addEdge(START, "c")
    .addEdge(START, "d")
    .addEdge(["a", "b", "c", "d"], "join")
    .addEdge("join", END)
    .compile({ checkpointer });
  return {
    linear: await timeRuns(
      async (i) => void (await linear.invoke({ count: 0 }, { configurable: { thread_id: `l${i}` } })),
    ),
    fanout: await timeRuns(
      async (i) => void (await fanout.invoke({ count: 0 }, { configurable: { thread_id: `f${i}` } })),
    ),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-engine-"));
  try {
    const ours = await baton(dir);
    const peer = await langgraph(dir);
    const figures = {
      runs: RUNS,
      ms_per_step: Number((ours.linear / 5).toFixed(3)),
      peer_ms_per_step: Number((peer.linear / 5).toFixed(3)),
      executions_per_s: Math.round(1000 / ours.linear),
      fanout_ms_per_run: Number(ours.fanout.toFixed(3)),
      peer_fanout_ms_per_run: Number(peer.fanout.toFixed(3)),
    };
    console.log(
      `baton, 5-step linear:      ${figures.ms_per_step} ms per durable step, ${figures.executions_per_s} executions/s`,
    );
    console.log(`LangGraph, 5-step linear:  ${figures.peer_ms_per_step} ms per durable step`);
    console.log(`baton, 4-way fan-out:      ${figures.fanout_ms_per_run} ms per run`);
    console.log(`LangGraph, 4-way fan-out:  ${figures.peer_fanout_ms_per_run} ms per run`);
    console.log(
      `per durable step, LangGraph / baton = ${(figures.peer_ms_per_step / figures.ms_per_step).toFixed(2)}×`,
    );
    console.log(JSON.stringify(figures));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
