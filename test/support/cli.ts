import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The shipped entry point. The integration project's global setup (build-cli.ts) compiles dist/
 * first, so a spawned baton starts in about a second instead of transforming src through tsx.
 */
export const BATON_BIN = fileURLToPath(new URL("../../bin/baton.js", import.meta.url));

/** A running CLI process: what it printed so far, and its exit code once it ends. */
export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Starts the real CLI (bin/baton.js, built from src) as a separate process, the way an operator would. */
export function spawnCli(args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, [BATON_BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "warn", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs the real CLI to its end with `stdin` as its input. */
export async function runCli(args: string[], env: Record<string, string>, stdin?: string): Promise<CliRun> {
  const run = spawnCli(args, env);
  run.child.stdin.end(stdin ?? "");
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

export const WORKFLOWS_DIR = fileURLToPath(new URL("../../workflows", import.meta.url));
