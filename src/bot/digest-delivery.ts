import type { Clock } from "../clock.js";
import { BatonError } from "../errors.js";
import type { Digest, DigestDelivery } from "../orchestrator/digest/digest.js";
import type { ExecutionDetail } from "../orchestrator/results.js";
import type { ChannelPublisher } from "./chat.js";
import { renderDigest } from "./render-digest.js";
import { renderExecution } from "./render-execution.js";
import type { Reply } from "./reply.js";

/**
 * The orchestrator's DigestDelivery port, made of the platforms' ChannelPublishers: renders the
 * digest to a Reply and publishes it under the delivery's idempotency key.
 */
export class PublisherDigestDelivery implements DigestDelivery {
  private readonly publishers: Map<string, ChannelPublisher>;

  constructor(
    publishers: readonly ChannelPublisher[],
    private readonly time: { clock: Clock; timeZone: string },
    /** Told of every post's outcome (metrics). */
    private readonly onDelivered?: (platform: string, outcome: "ok" | "failed") => void,
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
    const reply = renderDigest(digest, { now: this.time.clock.now(), timeZone: this.time.timeZone });
    return this.publish(reply, target, options, "the digest");
  }

  /** A scheduled run as chat shows a run: its steps, its outcome, Approve/Reject while it waits. */
  async deliverRun(
    detail: ExecutionDetail,
    target: { platform: string; channel: string },
    options: { idempotencyKey: string },
  ): Promise<{ messageId: string }> {
    const time = { now: this.time.clock.now(), timeZone: this.time.timeZone };
    const reply = renderExecution(detail, time, `Scheduled run of ${detail.execution.workflowName}.`);
    return this.publish(reply, target, options, "a scheduled run's report");
  }

  /** Any reply (a webhook's result) to a channel of a registered platform, once per idempotency key. */
  async post(
    reply: Reply,
    target: { platform: string; channel: string },
    options: { idempotencyKey: string },
  ): Promise<{ messageId: string }> {
    return this.publish(reply, target, options, "a message");
  }

  private async publish(
    reply: Reply,
    target: { platform: string; channel: string },
    options: { idempotencyKey: string },
    what: string,
  ): Promise<{ messageId: string }> {
    const publisher = this.publishers.get(target.platform);
    if (!publisher)
      throw new BatonError("unavailable", `baton has no ${target.platform} front-end to post ${what} with.`);
    try {
      const posted = await publisher.publish(target.channel, reply, options);
      this.onDelivered?.(target.platform, "ok");
      return { messageId: posted.id };
    } catch (error) {
      this.onDelivered?.(target.platform, "failed");
      throw error;
    }
  }
}
