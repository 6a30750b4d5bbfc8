/**
 * `npm run bench:slack` — a burst of signed `/orchestrate status` slash commands against baton's
 * Slack front-end in HTTP mode (the real Bolt app, with the dispatcher, audit log and replies to a
 * local fake Slack), beside a bare Bolt app that only acks (the floor), in the same run.
 * Time to ack = from sending the request to Bolt's 200. The last line is JSON:
 * { p50_ms, p99_ms, floor_p50_ms, floor_p99_ms, ratio_p99 }.
 */

import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { App } from "@slack/bolt";
import { createApp } from "../src/app.js";
import { SlackFrontEnd } from "../src/bot/slack/slack-front-end.js";
import { loadConfig } from "../src/config.js";
import { silentLogger } from "../src/logger.js";
import { FakeSlack } from "../test/support/fake-slack.js";
import { commandBody, postSigned, SIGNING_SECRET } from "../test/support/fake-slack-requests.js";

const BURST = Number(process.env.BENCH_REQUESTS ?? 500);
const ROUNDS = Number(process.env.BENCH_RUNS ?? 3);
/** Requests in flight at once; the default sends the whole burst at once. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? BURST);
const WORKFLOWS = fileURLToPath(new URL("../workflows", import.meta.url));
const FORM = "application/x-www-form-urlencoded";

/**
 * The fake Slack and the load run in a child process, so sending 500 requests at once does not
 * compete for the event loop with the apps being measured.
 */
type ToWorker = { kind: "burst"; url: string; count: number; round: number } | { kind: "stop" };
type FromWorker = { kind: "ready"; apiUrl: string } | { kind: "times"; times: number[]; posted: number };

const LOAD_FLAG = "--load";

async function loadWorker(): Promise<void> {
  const send = (message: FromWorker) => process.send?.(message);
  const slack = await new FakeSlack().start();
  process.on("message", async (message: ToWorker) => {
    if (message.kind === "stop") {
      await slack.stop();
      process.disconnect();
      return;
    }
    // Each request in its own channel: the per-channel send queue is not what is measured here.
    const bodies = Array.from({ length: message.count }, (_, i) =>
      commandBody("/orchestrate", "status", { channel_id: `C${message.round}x${i}` }),
    );
    const times: number[] = [];
    const sender = async () => {
      for (let body = bodies.shift(); body !== undefined; body = bodies.shift()) {
        const started = performance.now();
        const response = await postSigned(message.url, body, FORM);
        if (response.status !== 200) throw new Error(`ack failed with ${response.status}: ${response.body}`);
        times.push(performance.now() - started);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, message.count) }, sender));
    const reply: FromWorker = { kind: "times", times, posted: slack.performed("chat.postMessage").length };
    send(reply);
  });
  send({ kind: "ready", apiUrl: slack.apiUrl });
}

class Load {
  private readonly worker: ChildProcess = fork(fileURLToPath(import.meta.url), [LOAD_FLAG], {
    execArgv: ["--import", "tsx"],
  });
  posted = 0;

  ready(): Promise<string> {
    return this.next().then((m) => (m.kind === "ready" ? m.apiUrl : ""));
  }

  async burst(url: string, count: number, round: number): Promise<number[]> {
    const answer = this.next();
    this.worker.send({ kind: "burst", url, count, round } satisfies ToWorker);
    const message = await answer;
    if (message.kind !== "times") return [];
    this.posted = message.posted;
    return message.times;
  }

  async stop(): Promise<void> {
    this.worker.send({ kind: "stop" } satisfies ToWorker);
    await new Promise((resolve) => this.worker.once("exit", resolve));
  }

  private next(): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      this.worker.once("message", (message) => resolve(message as FromWorker));
      this.worker.once("error", reject);
    });
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Number((sorted[Math.max(0, index)] ?? 0).toFixed(2));
}

async function floorApp(apiUrl: string): Promise<{ url: string; stop: () => Promise<unknown> }> {
  const app = new App({
    token: "xoxb-bench",
    signingSecret: SIGNING_SECRET,
    clientOptions: { slackApiUrl: apiUrl, retryConfig: { retries: 0 } },
    logger: {
      debug() {},
      info() {},
      warn() {},
      error() {},
      setLevel() {},
      getLevel: () => "error" as never,
      setName() {},
    },
  });
  app.command("/orchestrate", async ({ ack }) => {
    await ack();
  });
  const server = await app.start(0);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`, stop: () => app.stop() };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-slack-"));
  const load = new Load();
  const apiUrl = await load.ready();
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dir, "bench.db")}`,
    BATON_WORKFLOWS_DIR: WORKFLOWS,
    LOG_LEVEL: "silent",
    SLACK_BOT_TOKEN: "xoxb-bench",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: apiUrl,
    PORT: "0",
  });
  const app = await createApp(config, silentLogger, { frontEnds: ["bench"], resume: false });
  if (!config.slack) throw new Error("slack is not configured");
  const frontEnd = new SlackFrontEnd({ ...app, config: config.slack, timeZone: config.timeZone });
  await frontEnd.start();
  const batonUrl = `http://127.0.0.1:${frontEnd.port}/slack/events`;
  const floor = await floorApp(apiUrl);
  try {
    await load.burst(floor.url, 50, -1);
    await load.burst(batonUrl, 50, -2);
    await frontEnd.idle();
    await app.dispatcher.drain();
    const floorTimes: number[] = [];
    const batonTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      floorTimes.push(...(await load.burst(floor.url, BURST, 1000 + round)));
      batonTimes.push(...(await load.burst(batonUrl, BURST, round)));
      // The dispatches the acks started finish before the next round, so rounds do not overlap.
      await frontEnd.idle();
      await app.dispatcher.drain();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    await load.burst(floor.url, 1, -3);
    const posted = load.posted;
    const figures = {
      requests: BURST * ROUNDS,
      burst: BURST,
      concurrency: CONCURRENCY,
      p50_ms: percentile(batonTimes, 50),
      p99_ms: percentile(batonTimes, 99),
      floor_p50_ms: percentile(floorTimes, 50),
      floor_p99_ms: percentile(floorTimes, 99),
    };
    const ratio = figures.p99_ms / figures.floor_p99_ms;
    console.log(
      `${ROUNDS} bursts of ${BURST} signed /orchestrate status commands, ${CONCURRENCY} in flight, HTTP mode`,
    );
    console.log(`baton (ack, then dispatch + audit + reply): p50 ${figures.p50_ms} ms, p99 ${figures.p99_ms} ms`);
    console.log(
      `bare Bolt app that only acks (floor):      p50 ${figures.floor_p50_ms} ms, p99 ${figures.floor_p99_ms} ms`,
    );
    console.log(`p99 is ${ratio.toFixed(2)}× the floor; replies posted: ${posted}`);
    console.log(JSON.stringify({ ...figures, ratio_p99: Number(ratio.toFixed(2)) }));
  } finally {
    await floor.stop();
    await frontEnd.stop();
    await app.close();
    await load.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes(LOAD_FLAG)) await loadWorker();
else await main();
