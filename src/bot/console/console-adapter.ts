import { createInterface, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { Clock } from "../../clock.js";
import { BatonError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { ChatRequest, ConfirmationPrompt, Conversation, PostedMessage } from "../chat.js";
import type { Dispatcher } from "../dispatch.js";
import type { Reply } from "../reply.js";
import { ConsoleScreen } from "./console-screen.js";
import { ansiStyle, plainStyle, renderText, type TextStyle } from "./text-renderer.js";

export interface ConsoleAdapterOptions {
  dispatcher: Dispatcher;
  input: Readable;
  output: Writable;
  user: string;
  clock: Clock;
  logger: Logger;
  color?: boolean;
  /** Session id used in dedupe keys; unique per REPL run. */
  session: string;
  /** Where output goes; shared with the console publisher and the log lines shown (default: `output`). */
  screen?: ConsoleScreen;
  /** Said once under the greeting, e.g. where the log file is. */
  notice?: string;
}

const PROMPT = "baton> ";
const SETTLE_BEFORE_PROMPT_MS = 2000;

/**
 * The console front-end: a REPL on stdin/stdout that speaks to the same dispatcher as every
 * platform. A destructive command asks y/N on the next line.
 */
export class ConsoleAdapter {
  private readonly rl: Interface;
  private readonly lines: AsyncIterator<string>;
  private readonly style: TextStyle;
  private readonly screen: ConsoleScreen;
  private sequence = 0;
  private closed = false;

  constructor(private readonly options: ConsoleAdapterOptions) {
    this.rl = createInterface({
      input: options.input,
      output: options.output,
      prompt: PROMPT,
      terminal: options.color ?? false,
    });
    this.lines = this.rl[Symbol.asyncIterator]();
    this.style = options.color ? ansiStyle : plainStyle;
    this.screen = options.screen ?? new ConsoleScreen(options.output, options.color ?? false);
    this.screen.attach(this.rl);
    // A terminal that closed under the REPL (EIO) ends it like Ctrl-D; nothing is thrown at the process.
    options.input.on("error", (error: unknown) => {
      this.options.logger.warn("the console's input failed; closing the console", { error });
      this.close();
    });
  }

  /** Reads requests until end of input or `close()`. */
  async run(): Promise<void> {
    this.print(`baton is ready, ${this.options.user}. Type /orchestrate help, or ask in plain words. Ctrl-D to quit.`);
    if (this.options.notice) this.print(this.style.dim(this.options.notice));
    this.screen.prompt();
    for (let next = await this.lines.next(); !next.done && !this.closed; next = await this.lines.next()) {
      this.screen.lineRead();
      const text = next.value.trim();
      if (text === "exit" || text === "quit") break;
      if (text.length > 0) await this.handle(text);
      if (!this.closed) this.screen.prompt();
    }
    this.screen.lineRead();
    this.closed = true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.screen.lineRead();
    try {
      this.rl.close();
    } catch (error) {
      // Closing restores the terminal's mode; on a terminal that is already gone that fails (EIO).
      this.options.logger.debug("the console's terminal was already gone", { error });
    }
  }

  onInterrupt(listener: () => void): void {
    this.rl.on("SIGINT", listener);
  }

  private async handle(text: string): Promise<void> {
    const request: ChatRequest = {
      platform: "console",
      workspace: null,
      channel: "console",
      thread: null,
      // Whoever types at the console of this installation is its owner (README "Permissions").
      actor: { id: this.options.user, name: this.options.user, platform: "console", owner: true },
      text,
      dedupeKey: `console:${this.options.session}:${++this.sequence}`,
      receivedAt: this.options.clock.now(),
    };
    try {
      const outcome = await this.options.dispatcher.dispatch(request, this.conversation());
      // Short runs finish before the next prompt; long ones keep printing progress in the background.
      // A clock timer (unref'd), not sleep(): a one-shot `baton say` exits as soon as it is done.
      const settleWait = new Promise<void>((resolve) =>
        this.options.clock.setTimeout(resolve, SETTLE_BEFORE_PROMPT_MS),
      );
      await Promise.race([outcome.settled, settleWait]);
    } catch (error) {
      // The dispatcher answers every request itself; reaching here means the database is gone.
      this.options.logger.error("request could not be handled", { error });
      this.print(`❌ baton could not handle that request: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private conversation(): Conversation {
    return {
      post: async (reply: Reply): Promise<PostedMessage> => {
        this.print(renderText(reply, this.style));
        return { id: String(this.sequence) };
      },
      update: async (_message: PostedMessage, reply: Reply): Promise<void> => {
        this.print(renderText(reply, this.style));
      },
      confirm: (prompt: ConfirmationPrompt) => this.confirm(prompt),
    };
  }

  private async confirm(prompt: ConfirmationPrompt): Promise<boolean> {
    this.screen.write(`${prompt.question} [y/N] `);
    const answer = await this.lines.next();
    if (answer.done)
      throw new BatonError("interrupted", "baton stopped before the confirmation was answered; nothing was changed.");
    return /^(y|yes)$/i.test(answer.value.trim());
  }

  private print(text: string): void {
    this.screen.print(text);
  }
}
