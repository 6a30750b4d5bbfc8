import type { Clock } from "../../clock.js";
import type { ConfirmationPrompt, Conversation, PostedMessage } from "../chat.js";
import { formatTimestamp } from "../format.js";
import { reply as makeReply, type Reply } from "../reply.js";
import { markDecided, renderMessage, type SlackBlock } from "./block-kit.js";
import type { PendingConfirmations } from "./confirmations.js";
import { type SlackWriter, slackErrorCode, type Target } from "./slack-writer.js";

/** Ephemeral messages cannot be edited with chat.update; their PostedMessage says so. */
const EPHEMERAL = "ephemeral";
/** Posted through a slash command's response_url; edited the same way. */
const VIA_RESPONSE_URL = "response_url";

/** Slack's answers when baton is not a member of the channel a slash command came from. */
const NOT_A_MEMBER = new Set(["not_in_channel", "channel_not_found"]);

/** A slash command's `respond` (its response_url): works in channels baton has not joined. */
export type Respond = (message: {
  text: string;
  blocks: SlackBlock[];
  response_type?: "in_channel" | "ephemeral";
  replace_original?: boolean;
}) => Promise<unknown>;

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
    /** A slash command's response_url, for channels baton is not a member of. */
    private readonly respond: Respond | null = null,
  ) {}

  async post(reply: Reply): Promise<PostedMessage> {
    try {
      if (reply.ephemeral && !this.privateChannel) {
        await this.deps.writer.postEphemeral(this.target, this.user, reply);
        return { id: EPHEMERAL };
      }
      return { id: await this.deps.writer.post(this.target, reply) };
    } catch (error) {
      if (!this.respond || !NOT_A_MEMBER.has(slackErrorCode(error) ?? "")) throw error;
      const responseType = reply.ephemeral ? "ephemeral" : "in_channel";
      await this.respond({ ...renderMessage(reply), response_type: responseType });
      return { id: reply.ephemeral ? EPHEMERAL : VIA_RESPONSE_URL };
    }
  }

  async update(message: PostedMessage, reply: Reply): Promise<void> {
    if (message.id === EPHEMERAL) return;
    if (message.id === VIA_RESPONSE_URL && this.respond) {
      await this.respond({ ...renderMessage(reply), response_type: "in_channel", replace_original: true });
      return;
    }
    await this.deps.writer.update(this.target.channel, message.id, renderMessage(reply));
  }

  async confirm(prompt: ConfirmationPrompt): Promise<boolean> {
    const token = this.deps.confirmations.newToken();
    const answer = this.deps.confirmations.wait(token, this.user);
    await this.post(
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
    /** A click from the Home tab is answered in the clicker's DM with baton. */
    direct = false,
  ) {
    super(deps, target, user, direct);
  }

  override async post(reply: Reply): Promise<PostedMessage> {
    if (reply.ephemeral || reply.tone === "error" || !this.clicked) return super.post(reply);
    const message = { id: this.clicked.ts };
    await this.update(message, reply);
    return message;
  }

  override async update(message: PostedMessage, reply: Reply): Promise<void> {
    if (!this.clicked || message.id !== this.clicked.ts) return super.update(message, reply);
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
