import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type App, createApp } from "../../src/app.js";
import type { ChatRequest, ConfirmationPrompt, Conversation, PostedMessage } from "../../src/bot/chat.js";
import type { Reply } from "../../src/bot/reply.js";
import { loadConfig } from "../../src/config.js";
import { type ExecutionRecord, ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { silentLogger } from "../../src/logger.js";
import type { Resolver } from "../../src/orchestrator/tools/egress/egress-policy.js";
import { tempDir } from "./cleanup.js";
import { WORKFLOWS_DIR } from "./cli.js";
import { eventually } from "./eventually.js";

/**
 * The fake platforms' people (Slack's Ada and Grace, Discord's ada and grace) are admins unless a
 * test sets BATON_ADMINS itself: most tests are about something other than permissions, which
 * have tests of their own. Anyone else on a platform is a viewer, as in production.
 */
export const FAKE_PLATFORM_ADMINS =
  "console:ada,console:grace,slack:U0ADA,slack:UGRACE,discord:400000000000000005,discord:400000000000000007";

export async function startTestApp(options: {
  url: string;
  env?: Record<string, string>;
  workflowsDir?: string;
  /** Resume executions left behind, as `baton start` does (default); false as one-shot commands. */
  resume?: boolean;
  /** Plays DNS for the http tools (names the test invents, rebinding). */
  resolver?: Resolver;
}): Promise<App> {
  const config = loadConfig({
    DATABASE_URL: options.url,
    BATON_WORKFLOWS_DIR: options.workflowsDir ?? WORKFLOWS_DIR,
    LOG_LEVEL: "silent",
    BATON_ADMINS: FAKE_PLATFORM_ADMINS,
    ...options.env,
  });
  return createApp(config, silentLogger, {
    frontEnds: ["test"],
    resume: options.resume ?? true,
    ...(options.resolver && { resolver: options.resolver }),
  });
}

/** A workflows directory holding the shipped examples plus a slow one (for cancel and shutdown tests). */
export function workflowsWithSlowOne(): string {
  const dir = tempDir("workflows");
  writeFileSync(
    join(dir, "slow.yaml"),
    [
      "name: slow",
      "description: Waits, then says done.",
      "steps:",
      "  - id: nap",
      "    tool: wait",
      "    with: { seconds: 30 }",
      "  - id: done",
      "    tool: template",
      '    with: { text: "done" }',
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "hello.yaml"),
    [
      "name: hello",
      "description: Greets someone by name.",
      "inputs:",
      "  name: { description: Who to greet, required: true }",
      "steps:",
      "  - id: greet",
      "    tool: template",
      '    with: { text: "Hello, {{ input.name }}!" }',
      "",
    ].join("\n"),
  );
  return dir;
}

/**
 * Waits until the execution has `status` and returns it — for runs another app instance resumes,
 * which `waitUntilSettled` cannot follow.
 */
export async function pollExecution(app: App, id: string, status: string): Promise<ExecutionRecord> {
  const executions = new ExecutionRepository(app.database);
  return eventually(async () => {
    const latest = await executions.get(id);
    return latest?.status === status && latest;
  }, `execution ${id} to be ${status}`);
}

let sequence = 0;

export function chatRequest(text: string, overrides: Partial<ChatRequest> = {}): ChatRequest {
  sequence += 1;
  return {
    platform: "console",
    workspace: null,
    channel: "test",
    thread: null,
    // The installation's owner at the console, unless a test says who else is asking.
    actor: { id: "ada", name: "Ada", platform: "console", owner: true },
    text,
    dedupeKey: `test:${process.pid}:${Date.now()}:${sequence}`,
    receivedAt: new Date(),
    ...overrides,
  };
}

/** Records what baton posted and edited, and answers confirmations as the test decides. */
export class RecordingConversation implements Conversation {
  readonly posts: Reply[] = [];
  readonly updates: Reply[] = [];
  readonly prompts: ConfirmationPrompt[] = [];
  private pending: ((answer: boolean) => void) | null = null;
  private promptListener: (() => void) | null = null;

  constructor(private readonly answer: boolean | "ask" = "ask") {}

  async post(reply: Reply): Promise<PostedMessage> {
    this.posts.push(reply);
    return { id: String(this.posts.length) };
  }

  async update(_message: PostedMessage, reply: Reply): Promise<void> {
    this.updates.push(reply);
  }

  confirm(prompt: ConfirmationPrompt): Promise<boolean> {
    this.prompts.push(prompt);
    if (this.answer !== "ask") return Promise.resolve(this.answer);
    return new Promise((resolve) => {
      this.pending = resolve;
      this.promptListener?.();
    });
  }

  /** Resolves once baton has asked for confirmation. */
  asked(): Promise<void> {
    if (this.pending) return Promise.resolve();
    return new Promise((resolve) => {
      this.promptListener = resolve;
    });
  }

  decide(answer: boolean): void {
    this.pending?.(answer);
    this.pending = null;
  }

  get lastText(): string {
    const last = this.updates.at(-1) ?? this.posts.at(-1);
    return last ? last.text : "";
  }
}
