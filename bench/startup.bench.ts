/**
 * `npm run bench:startup` — how fast baton starts and how much memory it holds idle, beside
 * `node -e 0` (the floor no Node program beats) measured in the same run. Every figure is the
 * median of BENCH_RUNS fresh processes of the built CLI (bin/baton.js → dist/), the way an
 * operator runs it:
 *   version_ms   `baton --version`
 *   help_ms      `baton help`
 *   route_ms     `baton route "status"` (cold process, database already migrated)
 *   say_ms       `baton say "/orchestrate status"`
 *   start_ms     `npm start -- --console` until the REPL's prompt (dist/ already built)
 *   idle_rss_mb  `npm start` with Slack (Socket Mode) + Discord (gateway) against local fakes and a
 *                schedule loaded, 3 s after both are connected: the baton process's resident memory
 *                from /proc (median of 3 starts; glibc's allocator makes single readings vary ±10 MB)
 * The last line is JSON: { version_ms, route_ms, start_ms, idle_rss_mb, node_floor_ms, … }.
 */

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeDiscord } from "../test/support/fake-discord.js";
import { FakeSlack } from "../test/support/fake-slack.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "baton.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WORKFLOWS = join(ROOT, "workflows");

const dir = mkdtempSync(join(tmpdir(), "baton-startup-"));
const baseEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "/tmp",
  LOG_LEVEL: "warn",
  DATABASE_URL: `sqlite:${join(dir, "baton.db")}`,
  BATON_WORKFLOWS_DIR: WORKFLOWS,
  BATON_SCHEDULES_FILE: join(dir, "schedules.yaml"),
};
writeFileSync(
  join(dir, "schedules.yaml"),
  'schedules:\n  - id: bench-digest\n    cron: "0 9 * * 1-5"\n    action: digest\n    channel: ops\n',
);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Wall time of one process from spawn to exit, in ms. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = baseEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr}`));
    });
  });
}

async function medianOf(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await timed(command, args, env));
  return Math.round(median(times));
}

/** `npm start -- --console` until "baton> " appears on stdout. */
function untilPrompt(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("npm", ["start", "--silent", "--", "--console"], {
      cwd: ROOT,
      env: baseEnv,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let at: number | null = null;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (at === null && stdout.includes("baton> ")) {
        at = performance.now() - started;
        child.stdin.end();
      }
    });
    child.on("error", reject);
    child.on("close", () => (at === null ? reject(new Error(`no prompt: ${stdout}`)) : resolve(at)));
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

/** The pid of the process running bin/baton.js under `npm start` (npm → sh → node). */
function batonPid(): number {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (cmdline.some((arg) => arg.endsWith("bin/baton.js")) && cmdline.includes("start") && cmdline[0] !== "sh")
        return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  throw new Error("no baton process found under npm start");
}

async function idleRss(): Promise<number> {
  const slack = await new FakeSlack().start();
  const discord = await new FakeDiscord().start();
  let child: ChildProcess | null = null;
  try {
    child = spawn("npm", ["start", "--silent"], {
      cwd: ROOT,
      env: {
        ...baseEnv,
        SLACK_BOT_TOKEN: "xoxb-bench",
        SLACK_APP_TOKEN: "xapp-bench",
        SLACK_API_URL: slack.apiUrl,
        DISCORD_TOKEN: discord.token,
        DISCORD_APPLICATION_ID: discord.applicationId,
        DISCORD_GUILD_ID: discord.guildId,
        DISCORD_API_URL: discord.apiUrl,
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    await slack.waitFor(() => slack.connections > 0, "a Socket Mode connection", 30_000);
    await discord.until(() => (discord.commands.get(discord.guildId) ?? []).length > 0, "Discord commands", 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    return rssMb(batonPid());
  } finally {
    if (child) {
      const exited = new Promise((resolve) => child?.on("close", resolve));
      process.kill(batonPid(), "SIGTERM");
      await exited;
    }
    await slack.stop();
    await discord.stop();
  }
}

async function main(): Promise<void> {
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT, stdio: "inherit" });
  execFileSync(process.execPath, [BIN, "migrate"], { cwd: ROOT, env: baseEnv, stdio: "ignore" });
  const nodeFloor = await medianOf(process.execPath, ["-e", "0"]);
  const version = await medianOf(process.execPath, [BIN, "--version"]);
  const help = await medianOf(process.execPath, [BIN, "help"]);
  const route = await medianOf(process.execPath, [BIN, "route", "status"]);
  const say = await medianOf(process.execPath, [BIN, "say", "/orchestrate status"]);
  const starts: number[] = [];
  for (let i = 0; i < RUNS; i++) starts.push(await untilPrompt());
  const start = Math.round(median(starts));
  const rss = median([await idleRss(), await idleRss(), await idleRss()]);
  const figures = {
    version_ms: version,
    help_ms: help,
    route_ms: route,
    say_ms: say,
    start_ms: start,
    idle_rss_mb: rss,
    node_floor_ms: nodeFloor,
    version_ratio: Number((version / nodeFloor).toFixed(2)),
    route_ratio: Number((route / nodeFloor).toFixed(2)),
  };
  console.log('baton start-up (median of %d fresh processes each; targets in README "Benchmarks")', RUNS);
  console.log(`  node -e 0              ${nodeFloor} ms (the floor)`);
  console.log(`  baton --version        ${version} ms   (target ≤ 300)`);
  console.log(`  baton help             ${help} ms   (target ≤ 300)`);
  console.log(`  baton route "status"   ${route} ms   (target ≤ 800)`);
  console.log(`  baton say status       ${say} ms   (target ≤ 800)`);
  console.log(`  npm start → prompt     ${start} ms   (target ≤ 3000)`);
  console.log(`  idle RSS, Slack + Discord + scheduler  ${rss} MB   (target ≤ 120)`);
  console.log(JSON.stringify(figures));
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
