import type { webApi } from "@slack/bolt";
import type { Clock } from "../../clock.js";
import { BatonError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { Reply } from "../reply.js";
import { renderMessage, type SlackBlock } from "./block-kit.js";
import type { SendQueue } from "./send-queue.js";

/** Where baton records what it posted (migration 0004); the adapter never queries the database itself. */
export interface PostedLog {
  record(entry: {
    at: Date;
    kind: "message" | "ephemeral" | "click";
    workspace: string | null;
    channel: string;
    ts: string | null;
    threadTs: string | null;
    userId: string | null;
    key: string | null;
    detail: string | null;
  }): Promise<boolean>;
}

export interface WriterDeps {
  client: webApi.WebClient;
  queue: SendQueue;
  log: PostedLog;
  clock: Clock;
  logger: Logger;
}

export interface Target {
  workspace: string | null;
  channel: string;
  threadTs: string | null;
}

/** A Web API failure as one BatonError; only a 429 (Slack did nothing) counts as retryable. */
export function slackError(error: unknown, what: string): BatonError {
  const data = (error as { data?: { error?: string } }).data;
  const code = (error as { code?: string }).code;
  const reason = data?.error ?? (error instanceof Error ? error.message : String(error));
  return new BatonError("unavailable", `Slack refused to ${what}: ${reason}.`, {
    cause: error,
    retryable: code === "slack_webapi_rate_limited_error",
  });
}

/** Slack's own error code (`not_in_channel`, `channel_not_found`, …) behind a failed write, if any. */
export function slackErrorCode(error: unknown): string | null {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const code = (cause as { data?: { error?: unknown } } | null)?.data?.error;
  return typeof code === "string" ? code : null;
}

/**
 * Every write to Slack goes through here: one send queue per channel, and each posted message's ts
 * recorded. The WebClient has its own retries off for writes (duplicates), the queue handles 429.
 */
export class SlackWriter {
  constructor(private readonly deps: WriterDeps) {}

  async post(target: Target, reply: Reply, key: string | null = null): Promise<string> {
    const message = renderMessage(reply);
    const send = (blocks: SlackBlock[] | undefined) =>
      this.write(target.channel, "post a message", () =>
        this.deps.client.chat.postMessage({
          channel: target.channel,
          text: message.text,
          ...(blocks && { blocks }),
          ...(target.threadTs && { thread_ts: target.threadTs }),
          unfurl_links: false,
          unfurl_media: false,
        }),
      );
    const response = await send(message.blocks).catch((error: unknown) => {
      // Slack refused the blocks and posted nothing: the plain text still tells the person the answer.
      if (slackErrorCode(error) !== "invalid_blocks") throw error;
      this.deps.logger.warn("slack refused a reply's blocks; posting its text alone", { channel: target.channel });
      return send(undefined);
    });
    const ts = String(response.ts ?? "");
    // chat.postMessage to a user id posts into the DM; the reply names the real channel.
    await this.remember({ ...target, channel: String(response.channel ?? target.channel) }, "message", ts, key, reply);
    return ts;
  }

  async postEphemeral(target: Target, user: string, reply: Reply): Promise<void> {
    const message = renderMessage(reply);
    await this.write(target.channel, "post an ephemeral message", () =>
      this.deps.client.chat.postEphemeral({
        channel: target.channel,
        user,
        ...message,
        ...(target.threadTs && { thread_ts: target.threadTs }),
      }),
    );
    await this.remember(target, "ephemeral", null, null, reply, user);
  }

  async update(channel: string, ts: string, message: { text: string; blocks: SlackBlock[] }): Promise<void> {
    await this.write(channel, "update a message", () => this.deps.client.chat.update({ channel, ts, ...message }));
  }

  /** The DM channel between baton and `user` (conversations.open, scope im:write). */
  async directChannel(user: string): Promise<string> {
    try {
      const response = await this.deps.client.conversations.open({ users: user });
      const id = response.channel?.id;
      if (!id) throw new Error("conversations.open returned no channel");
      return id;
    } catch (error) {
      throw slackError(error, "open a direct message");
    }
  }

  async publishHome(user: string, blocks: SlackBlock[]): Promise<void> {
    try {
      await this.deps.client.views.publish({ user_id: user, view: { type: "home", blocks: blocks as never } });
    } catch (error) {
      throw slackError(error, "publish the App Home view");
    }
  }

  private async write<T>(channel: string, what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await this.deps.queue.send(channel, call);
    } catch (error) {
      throw slackError(error, what);
    }
  }

  private async remember(
    target: Target,
    kind: "message" | "ephemeral",
    ts: string | null,
    key: string | null,
    reply: Reply,
    user: string | null = null,
  ): Promise<void> {
    try {
      await this.deps.log.record({
        at: this.deps.clock.now(),
        kind,
        workspace: target.workspace,
        channel: target.channel,
        ts,
        threadTs: target.threadTs,
        userId: user,
        key,
        detail: reply.text.slice(0, 500),
      });
    } catch (error) {
      // The message is posted; a lost log row must not turn that into a failure (and a re-post).
      this.deps.logger.error("could not record a posted slack message", { channel: target.channel, ts, error });
    }
  }
}
