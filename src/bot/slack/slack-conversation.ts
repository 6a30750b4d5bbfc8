import type { Clock } from "../../clock.js";
import type { ConfirmationPrompt, Conversation, PostedMessage } from "../chat.js";
import { formatTimestamp } from "../format.js";
import { reply as makeReply, type Reply } from "../reply.js";
import { markDecided, renderMessage } from "./block-kit.js";
import type { PendingConfirmations } from "./confirmations.js";
import type { SlackWriter, Target } from "./slack-writer.js";

/** Ephemeral messages cannot be edited with chat.update; their PostedMessage says so. */
const EPHEMERAL = "ephemeral";

export interface ConversationDeps {
  writer: SlackWriter;
  confirmations: PendingConfirmations;
  clock: Clock;
  timeZone: string;
}

/**
 * One request's conversation in a channel, DM or thread: replies are posted there (in the thread
 * when there is one), help and errors go to the asker alone where Slack allows it, and a
 * destructive command asks with Confirm/Cancel buttons only the asker may press.
 */
export class SlackConversation implements Conversation {
  constructor(
    protected readonly deps: ConversationDeps,
    protected readonly target: Target,
    protected readonly user: string,
    /** In a DM an ephemeral message is pointless: everything is private already. */
    private readonly privateChannel: boolean,
  ) {}

  async post(reply: Reply): Promise<PostedMessage> {
    if (reply.ephemeral && !this.privateChannel) {
      await this.deps.writer.postEphemeral(this.target, this.user, reply);
      return { id: EPHEMERAL };
    }
    return { id: await this.deps.writer.post(this.target, reply) };
  }

  async update(message: PostedMessage, reply: Reply): Promise<void> {
    if (message.id === EPHEMERAL) return;
    await this.deps.writer.update(this.target.channel, message.id, renderMessage(reply));
  }

  async confirm(prompt: ConfirmationPrompt): Promise<boolean> {
    const token = this.deps.confirmations.newToken();
    const answer = this.deps.confirmations.wait(token, this.user);
    await this.deps.writer.post(
      this.target,
      makeReply(prompt.question, [
        { type: "section", text: `${prompt.question} (only the person who asked can answer)` },
        {
          type: "actions",
          buttons: [
            { label: "Confirm", style: "danger", action: { kind: "confirm", token } },
            { label: "Cancel", style: "default", action: { kind: "decline", token } },
          ],
        },
      ]),
    );
    return answer;
  }
}

/**
 * The conversation of a button click: the clicked message itself becomes the reply (updated to
 * show who decided and when, then kept up to date as the run goes on); a refusal goes to the
 * clicker alone.
 */
export class ClickConversation extends SlackConversation {
  constructor(
    deps: ConversationDeps,
    target: Target,
    user: string,
    private readonly clicked: { ts: string } | null,
    private readonly decidedLine: string,
  ) {
    super(deps, target, user, false);
  }

  override async post(reply: Reply): Promise<PostedMessage> {
    if (reply.ephemeral || reply.tone === "error" || !this.clicked) return super.post(reply);
    const message = { id: this.clicked.ts };
    await this.update(message, reply);
    return message;
  }

  override async update(message: PostedMessage, reply: Reply): Promise<void> {
    const rendered = renderMessage(reply);
    await this.deps.writer.update(this.target.channel, message.id, {
      text: rendered.text,
      blocks: [
        ...markDecided(rendered.blocks, this.decidedLine),
        ...rendered.blocks.filter((b) => b.type === "actions"),
      ],
    });
  }
}

/** "✅ Approved by <@U1> at 2026-11-21 12:00 UTC" */
export function decidedLine(verb: string, user: string, at: Date, timeZone: string): string {
  return `${verb} by <@${user}> at ${formatTimestamp(at, timeZone)}`;
}
