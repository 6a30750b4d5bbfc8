import type { Writable } from "node:stream";
import type { ChannelPublisher, PostedMessage } from "../chat.js";
import type { Reply } from "../reply.js";
import { plainStyle, renderText, type TextStyle } from "./text-renderer.js";

/**
 * The console's ChannelPublisher: posts outside a request (scheduled digests) are printed, headed
 * by the channel they are for. Message ids count up; a repeated idempotency key prints nothing new.
 */
export class ConsolePublisher implements ChannelPublisher {
  readonly platform = "console";
  private readonly posted = new Map<string, PostedMessage>();

  constructor(
    private readonly output: Writable,
    private readonly style: TextStyle = plainStyle,
  ) {}

  async publish(channel: string, reply: Reply, options: { idempotencyKey: string }): Promise<PostedMessage> {
    const earlier = this.posted.get(options.idempotencyKey);
    if (earlier) return earlier;
    const message = { id: `console-${this.posted.size + 1}` };
    this.output.write(`\n${this.style.dim(`── to #${channel} ──`)}\n${renderText(reply, this.style)}\n`);
    this.posted.set(options.idempotencyKey, message);
    return message;
  }
}
