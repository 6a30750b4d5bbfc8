import { type InteractionResponseType, type REST, Routes } from "discord.js";
import type { PostedMessage } from "../chat.js";
import { toDiscordError } from "./discord-errors.js";
import type { DiscordMessageBody, NewMessageBody } from "./discord-renderer.js";

/** The id `update` uses for the interaction's own first message (the deferred reply, or the clicked one). */
export const ORIGINAL = "@original";

/** The first answer to an interaction (within 3 s), as a callback body. */
export type InteractionAck =
  | { type: InteractionResponseType.DeferredChannelMessageWithSource; data?: { flags: number } }
  | { type: InteractionResponseType.DeferredMessageUpdate }
  | { type: InteractionResponseType.UpdateMessage; data: Partial<DiscordMessageBody> }
  | { type: InteractionResponseType.ChannelMessageWithSource; data: Partial<DiscordMessageBody> }
  | {
      type: InteractionResponseType.ApplicationCommandAutocompleteResult;
      data: { choices: Array<{ name: string; value: string }> };
    };

/**
 * Everything after the first answer goes through the interaction's webhook for 15 minutes
 * (editReply / followUp), without the bot token: the same calls serve the gateway and the HTTP endpoint.
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#followup-messages
 */
export class InteractionResponder {
  constructor(
    private readonly rest: REST,
    private readonly interaction: { id: string; token: string; applicationId: string },
  ) {}

  /** The gateway's first answer: POST /interactions/:id/:token/callback. */
  async acknowledge(ack: InteractionAck): Promise<void> {
    try {
      await this.rest.post(Routes.interactionCallback(this.interaction.id, this.interaction.token), {
        body: ack,
        auth: false,
      });
    } catch (error) {
      throw toDiscordError(error, "accept the interaction");
    }
  }

  /** Edits a message of this interaction; resolves with its id (what @original stands for). */
  async edit(messageId: string, body: DiscordMessageBody): Promise<string> {
    const { flags: _createOnly, ...edit } = body;
    try {
      const message = (await this.rest.patch(this.webhookMessage(messageId), { body: edit, auth: false })) as {
        id?: string;
      } | null;
      return message?.id ?? messageId;
    } catch (error) {
      throw toDiscordError(error, "edit the reply");
    }
  }

  async followUp(body: NewMessageBody): Promise<PostedMessage> {
    try {
      const message = (await this.rest.post(Routes.webhook(this.interaction.applicationId, this.interaction.token), {
        body,
        auth: false,
      })) as { id: string };
      return { id: message.id };
    } catch (error) {
      throw toDiscordError(error, "post a follow-up");
    }
  }

  async deleteOriginal(): Promise<void> {
    try {
      await this.rest.delete(this.webhookMessage(ORIGINAL), { auth: false });
    } catch (error) {
      throw toDiscordError(error, "remove the deferred reply");
    }
  }

  private webhookMessage(messageId: string) {
    return Routes.webhookMessage(this.interaction.applicationId, this.interaction.token, messageId);
  }
}
