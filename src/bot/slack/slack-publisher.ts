import type { ChannelPublisher, PostedMessage } from "../chat.js";
import type { Reply } from "../reply.js";
import type { SlackWriter } from "./slack-writer.js";

/** Looks up a delivery already made, by its idempotency key (slack_messages.key). */
export interface DeliveryLookup {
  findByKey(key: string): Promise<{ ts: string | null } | null>;
}

/**
 * Posts outside any request (digests, approvals nobody is watching). A retry of one delivery
 * carries the same idempotency key: when the first attempt was recorded as posted, the retry
 * returns that message instead of posting again.
 */
export class SlackPublisher implements ChannelPublisher {
  readonly platform = "slack";

  constructor(
    private readonly writer: SlackWriter,
    private readonly deliveries: DeliveryLookup,
  ) {}

  async publish(channel: string, reply: Reply, options: { idempotencyKey: string }): Promise<PostedMessage> {
    const key = `publish:${options.idempotencyKey}`;
    const earlier = await this.deliveries.findByKey(key);
    if (earlier?.ts) return { id: earlier.ts };
    const target = { workspace: null, channel: channel.replace(/^#/, ""), threadTs: null };
    return { id: await this.writer.post(target, reply, key) };
  }
}
