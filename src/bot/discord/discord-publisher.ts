import { createHash } from "node:crypto";
import { type REST, Routes } from "discord.js";
import type { ChannelPublisher, PostedMessage } from "../chat.js";
import type { Reply } from "../reply.js";
import { toDiscordError } from "./discord-errors.js";
import { renderDiscordMessage } from "./discord-renderer.js";

/**
 * Posts outside a request (digests, approval requests) to a channel. The idempotency key becomes
 * the message nonce with `enforce_nonce`, so Discord itself drops a retried delivery of one post.
 * @see https://discord.com/developers/docs/resources/message#create-message-jsonform-params
 */
export class DiscordPublisher implements ChannelPublisher {
  readonly platform = "discord";

  constructor(private readonly rest: REST) {}

  async publish(channel: string, reply: Reply, options: { idempotencyKey: string }): Promise<PostedMessage> {
    const { flags: _ephemeral, ...body } = renderDiscordMessage(reply);
    try {
      const posted = (await this.rest.post(Routes.channelMessages(channel.replace(/^#/, "")), {
        body: { ...body, nonce: nonceFor(options.idempotencyKey), enforce_nonce: true },
      })) as { id: string };
      return { id: posted.id };
    } catch (error) {
      throw toDiscordError(error, `post to channel ${channel}`);
    }
  }
}

/** Discord nonces are at most 25 characters. */
export function nonceFor(idempotencyKey: string): string {
  return createHash("sha256").update(idempotencyKey).digest("base64url").slice(0, 25);
}
