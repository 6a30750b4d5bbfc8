import { type REST, Routes } from "discord.js";
import type { ConfirmationPrompt, Conversation, PostedMessage } from "../chat.js";
import { type Reply, reply } from "../reply.js";
import type { PendingConfirmations } from "./confirmations.js";
import { toDiscordError } from "./discord-errors.js";
import { type DiscordMessageBody, renderDiscordMessage } from "./discord-renderer.js";
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
}

/**
 * A slash command's or a button click's conversation: the first post edits the deferred reply
 * (editReply), later posts are follow-ups, updates edit the message they name. Ephemeral replies
 * (help, errors, refusals) stay ephemeral: a public deferral is replaced by an ephemeral follow-up.
 */
export class InteractionConversation implements Conversation {
  private originalTaken = false;

  constructor(private readonly options: InteractionConversationOptions) {}

  async post(message: Reply): Promise<PostedMessage> {
    const { responder, original } = this.options;
    if (this.originalTaken || (original === "clicked" && message.ephemeral)) {
      return responder.followUp(renderDiscordMessage(message));
    }
    this.originalTaken = true;
    if (original === "deferred-public" && message.ephemeral) {
      // Deleting the "thinking…" placeholder is cosmetic; the answer matters more.
      await responder.deleteOriginal().catch(() => undefined);
      return responder.followUp(renderDiscordMessage(message));
    }
    await responder.edit(ORIGINAL, this.render(ORIGINAL, message));
    return { id: ORIGINAL };
  }

  async update(message: PostedMessage, next: Reply): Promise<void> {
    await this.options.responder.edit(message.id, this.render(message.id, next));
  }

  async confirm(prompt: ConfirmationPrompt): Promise<boolean> {
    const { token, answer } = this.options.confirmations.open(this.options.requesterId);
    await this.post(confirmationReply(prompt.question, token));
    return answer;
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
export class ChannelConversation implements Conversation {
  private first = true;

  constructor(
    private readonly options: {
      rest: REST;
      channelId: string;
      replyTo: string | null;
      confirmations: PendingConfirmations;
      requesterId: string;
    },
  ) {}

  async post(message: Reply): Promise<PostedMessage> {
    const { flags: _ephemeral, ...body } = renderDiscordMessage(message);
    const reference =
      this.first && this.options.replyTo
        ? { message_reference: { message_id: this.options.replyTo, fail_if_not_exists: false } }
        : {};
    this.first = false;
    try {
      const posted = (await this.options.rest.post(Routes.channelMessages(this.options.channelId), {
        body: { ...body, ...reference },
      })) as { id: string };
      return { id: posted.id };
    } catch (error) {
      throw toDiscordError(error, "post the reply");
    }
  }

  async update(message: PostedMessage, next: Reply): Promise<void> {
    const { flags: _ephemeral, ...body } = renderDiscordMessage(next);
    try {
      await this.options.rest.patch(Routes.channelMessage(this.options.channelId, message.id), { body });
    } catch (error) {
      throw toDiscordError(error, "edit the reply");
    }
  }

  async confirm(prompt: ConfirmationPrompt): Promise<boolean> {
    const { token, answer } = this.options.confirmations.open(this.options.requesterId);
    await this.post(confirmationReply(prompt.question, token));
    return answer;
  }
}
