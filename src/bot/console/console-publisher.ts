import type { ChannelPublisher, PostedMessage } from "../chat.js";
import type { Reply } from "../reply.js";
import type { ConsoleScreen } from "./console-screen.js";
import { plainStyle, renderText, type TextStyle } from "./text-renderer.js";

/**
 * The console's ChannelPublisher: posts outside a request (digests, reports of scheduled and resumed
 * runs) are printed above the prompt, headed by the channel they are for. Message ids count up; a
 * repeated idempotency key prints nothing new.
 */
export class ConsolePublisher implements ChannelPublisher {
  readonly platform = "console";
  private readonly posted = new Map<string, PostedMessage>();

  constructor(
    private readonly screen: Pick<ConsoleScreen, "print">,
    private readonly style: TextStyle = plainStyle,
  ) {}

  async publish(channel: string, reply: Reply, options: { idempotencyKey: string }): Promise<PostedMessage> {
    const earlier = this.posted.get(options.idempotencyKey);
    if (earlier) return earlier;
    const message = { id: `console-${this.posted.size + 1}` };
    this.screen.print(`${this.style.dim(`── to #${channel} ──`)}\n${renderText(reply, this.style)}`);
    this.posted.set(options.idempotencyKey, message);
    return message;
  }
}
