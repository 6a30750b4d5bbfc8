import type { Clock } from "../../clock.js";
import type { ConfirmationPrompt, Conversation, PostedMessage } from "../chat.js";
import { type Reply, reply } from "../reply.js";
import type { ChannelMessages } from "./channel-messages.js";
import type { PendingConfirmations } from "./confirmations.js";
import { type DiscordMessageBody, type NewMessageBody, renderDiscordMessage } from "./discord-renderer.js";
import { type InteractionResponder, ORIGINAL } from "./interaction-responder.js";

export function confirmationReply(question: string, token: string): Reply {
  return reply(
    question,
    [
      { type: "section", text: question },
      {
        type: "actions",
        buttons: [
          { label: "Confirm", style: "danger", action: { kind: "confirm", token } },
          { label: "Cancel", style: "default", action: { kind: "decline", token } },
        ],
      },
    ],
    { tone: "warning" },
  );
}

/** A conversation that can also tell the asker, with a ping, that long work has finished. */
export interface DiscordConversation extends Conversation {
  notifyDone(final: Reply): Promise<void>;
}

/** A follow-up that pings the asker (mentions in embeds do not notify anyone). */
function doneNotice(userId: string, final: Reply): NewMessageBody {
  const { components: _buttonsStayOnTheMessage, ...body } = renderDiscordMessage({ ...final, blocks: [] });
  return { ...body, components: [], content: `<@${userId}>`, allowed_mentions: { parse: [], users: [userId] } };
}

/**
 * What the interaction's @original message is:
 * - `deferred-public` / `deferred-ephemeral`: the deferred reply to a slash command;
 * - `clicked`: the message whose button was clicked (its edits say who decided, `decidedBy`).
 */
export type OriginalKind = "deferred-public" | "deferred-ephemeral" | "clicked";

export interface InteractionConversationOptions {
  responder: InteractionResponder;
  confirmations: PendingConfirmations;
  requesterId: string;
  original: OriginalKind;
  /** Context lines added to every edit of a clicked message, e.g. "Approved by <@1> <t:…:f>". */
  decidedBy?: string[];
  clock: Clock;
  /** When the interaction token stops working (15 minutes after the interaction, less a margin). */
  tokenExpiresAt: Date;
  /** The channel, through the bot token, once the token has expired; null without a bot token. */
  channel: ChannelMessages | null;
}

/**
 * A slash command's or a button click's conversation: the first post edits the deferred reply
 * (editReply), later posts are follow-ups, updates edit the message they name. Ephemeral replies
 * (help, errors, refusals) stay ephemeral: a public deferral is replaced by an ephemeral follow-up.
 * Work that outlives the interaction token goes on in the channel with the bot token.
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#followup-messages
 */
export class InteractionConversation implements DiscordConversation {
  private originalTaken = false;
  /** The real id behind @original, so it can still be edited after the token expires. */
  private originalId: string | null = null;

  constructor(private readonly options: InteractionConversationOptions) {}

  async post(message: Reply): Promise<PostedMessage> {
    const { responder, original } = this.options;
    const channel = this.expiredChannel();
    if (channel) return channel.create(renderDiscordMessage(message));
    if (this.originalTaken || (original === "clicked" && message.ephemeral)) {
      return responder.followUp(renderDiscordMessage(message));
    }
    this.originalTaken = true;
    if (original === "deferred-public" && message.ephemeral) {
      // Deleting the "thinking…" placeholder is cosmetic; the answer matters more.
      await responder.deleteOriginal().catch(() => undefined);
      return responder.followUp(renderDiscordMessage(message));
    }
    this.originalId = await responder.edit(ORIGINAL, this.render(ORIGINAL, message));
    return { id: ORIGINAL };
  }

  async update(message: PostedMessage, next: Reply): Promise<void> {
    const channel = this.expiredChannel();
    const id = message.id === ORIGINAL ? this.originalId : message.id;
    if (channel && id) return channel.edit(id, this.render(message.id, next));
    await this.options.responder.edit(message.id, this.render(message.id, next));
  }

  async confirm(prompt: ConfirmationPrompt): Promise<boolean> {
    const { token, answer } = this.options.confirmations.open(this.options.requesterId);
    await this.post(confirmationReply(prompt.question, token));
    return answer;
  }

  async notifyDone(final: Reply): Promise<void> {
    const notice = doneNotice(this.options.requesterId, final);
    const channel = this.expiredChannel();
    if (channel) await channel.create(notice);
    else await this.options.responder.followUp(notice);
  }

  private expiredChannel(): ChannelMessages | null {
    return this.options.clock.now() >= this.options.tokenExpiresAt ? this.options.channel : null;
  }

  private render(messageId: string, message: Reply): DiscordMessageBody {
    const clicked = messageId === ORIGINAL && this.options.original === "clicked";
    return renderDiscordMessage(message, clicked ? (this.options.decidedBy ?? []) : []);
  }
}

/**
 * A mention's or a DM's conversation: messages in the channel (or thread) where it was asked, the
 * first one replying to the person's message. Channels have no ephemeral messages.
 */
export class ChannelConversation implements DiscordConversation {
  private first = true;

  constructor(
    private readonly options: {
      channel: ChannelMessages;
      replyTo: string | null;
      confirmations: PendingConfirmations;
      requesterId: string;
    },
  ) {}

  async post(message: Reply): Promise<PostedMessage> {
    const reference =
      this.first && this.options.replyTo
        ? { message_reference: { message_id: this.options.replyTo, fail_if_not_exists: false } }
        : {};
    this.first = false;
    return this.options.channel.create({ ...renderDiscordMessage(message), ...reference });
  }

  async update(message: PostedMessage, next: Reply): Promise<void> {
    await this.options.channel.edit(message.id, renderDiscordMessage(next));
  }

  async confirm(prompt: ConfirmationPrompt): Promise<boolean> {
    const { token, answer } = this.options.confirmations.open(this.options.requesterId);
    await this.post(confirmationReply(prompt.question, token));
    return answer;
  }

  async notifyDone(final: Reply): Promise<void> {
    await this.options.channel.create(doneNotice(this.options.requesterId, final));
  }
}
