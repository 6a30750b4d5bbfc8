import { type REST, Routes } from "discord.js";
import type { PostedMessage } from "../chat.js";
import { toDiscordError } from "./discord-errors.js";
import type { DiscordMessageBody, NewMessageBody } from "./discord-renderer.js";

/** Creating and editing the bot's messages in one channel or thread (bot token; no ephemeral messages). */
export class ChannelMessages {
  constructor(
    private readonly rest: REST,
    readonly channelId: string,
  ) {}

  async create(body: NewMessageBody): Promise<PostedMessage> {
    const { flags: _ephemeral, ...rest } = body;
    try {
      const posted = (await this.rest.post(Routes.channelMessages(this.channelId), { body: rest })) as { id: string };
      return { id: posted.id };
    } catch (error) {
      throw toDiscordError(error, "post the reply");
    }
  }

  async edit(messageId: string, body: DiscordMessageBody): Promise<void> {
    const { flags: _ephemeral, ...rest } = body;
    try {
      await this.rest.patch(Routes.channelMessage(this.channelId, messageId), { body: rest });
    } catch (error) {
      throw toDiscordError(error, "edit the reply");
    }
  }
}
