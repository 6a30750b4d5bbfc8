import type { Clock } from "../clock.js";
import { BatonError } from "../errors.js";
import type { Digest, DigestDelivery } from "../orchestrator/digest/digest.js";
import type { ChannelPublisher } from "./chat.js";
import { renderDigest } from "./render-digest.js";

/**
 * The orchestrator's DigestDelivery port, made of the platforms' ChannelPublishers: renders the
 * digest to a Reply and publishes it under the delivery's idempotency key.
 */
export class PublisherDigestDelivery implements DigestDelivery {
  private readonly publishers: Map<string, ChannelPublisher>;

  constructor(
    publishers: readonly ChannelPublisher[],
    private readonly time: { clock: Clock; timeZone: string },
  ) {
    this.publishers = new Map(publishers.map((publisher) => [publisher.platform, publisher]));
  }

  /** Platforms start after the orchestrator (they need its dispatcher); each registers once it is up. */
  register(publisher: ChannelPublisher): void {
    this.publishers.set(publisher.platform, publisher);
  }

  platforms(): string[] {
    return [...this.publishers.keys()];
  }

  async deliver(
    digest: Digest,
    target: { platform: string; channel: string },
    options: { idempotencyKey: string },
  ): Promise<{ messageId: string }> {
    const publisher = this.publishers.get(target.platform);
    if (!publisher) {
      throw new BatonError("unavailable", `baton has no ${target.platform} front-end to post the digest with.`);
    }
    const reply = renderDigest(digest, { now: this.time.clock.now(), timeZone: this.time.timeZone });
    const posted = await publisher.publish(target.channel, reply, options);
    return { messageId: posted.id };
  }
}
