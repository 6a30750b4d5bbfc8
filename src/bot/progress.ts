import type { Clock, Timer } from "../clock.js";
import { toBatonError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { ExecutionDetail } from "../orchestrator/results.js";
import type { Conversation, PostedMessage } from "./chat.js";
import type { FollowUps } from "./ports.js";
import { renderExecution } from "./render-execution.js";
import type { Reply } from "./reply.js";

export interface FollowOptions {
  followUps: Pick<FollowUps, "events" | "waitUntilSettled" | "executionDetail">;
  conversation: Conversation;
  message: PostedMessage;
  executionId: string;
  clock: Clock;
  timeZone: string;
  logger: Logger;
  /** At most one edit per interval; the final state is always written. */
  intervalMs: number;
}

/**
 * Keeps the "started" message up to date as steps progress (DESIGN.md: long work answers at once,
 * then updates that same message). Resolves with the final reply when the execution stops running.
 */
export async function followExecution(options: FollowOptions): Promise<{ reply: Reply; detail: ExecutionDetail }> {
  const { followUps, executionId } = options;
  const edits = new ThrottledEdits(options);
  const unsubscribe = [
    followUps.events.on("step.started", (a) => a.executionId === executionId && edits.request()),
    followUps.events.on("step.finished", (a) => a.executionId === executionId && edits.request()),
    followUps.events.on("step.retrying", (r) => r.executionId === executionId && edits.request()),
  ];
  try {
    await followUps.waitUntilSettled(executionId);
    return await edits.final();
  } finally {
    for (const off of unsubscribe) off();
  }
}

class ThrottledEdits {
  /** The "started" message was just posted: the first edit waits a full interval after it. */
  private lastEdit: number;
  private lastSent = "";
  private timer: Timer | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: FollowOptions) {
    this.lastEdit = options.clock.now().getTime();
  }

  private time() {
    return { now: this.options.clock.now(), timeZone: this.options.timeZone };
  }

  request(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastEdit + this.options.intervalMs - this.options.clock.now().getTime());
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      this.chain = this.chain.then(() => this.edit());
    }, wait);
  }

  async final(): Promise<{ reply: Reply; detail: ExecutionDetail }> {
    this.timer?.cancel();
    this.timer = null;
    await this.chain;
    const detail = await this.options.followUps.executionDetail(this.options.executionId);
    const reply = renderExecution(detail, this.time());
    await this.send(reply);
    return { reply, detail };
  }

  private async edit(): Promise<void> {
    this.lastEdit = this.options.clock.now().getTime();
    const detail = await this.options.followUps.executionDetail(this.options.executionId).catch(() => null);
    if (detail) await this.send(renderExecution(detail, this.time()));
  }

  private async send(reply: Reply): Promise<void> {
    // An edit that changes nothing costs a rate-limited API call and shows nothing new.
    const rendered = JSON.stringify(reply);
    if (rendered === this.lastSent) return;
    this.lastSent = rendered;
    try {
      await this.options.conversation.update(this.options.message, reply);
    } catch (error) {
      this.options.logger.warn("progress update failed", {
        execution: this.options.executionId,
        error: toBatonError(error),
      });
    }
  }
}
