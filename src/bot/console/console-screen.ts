import type { Interface } from "node:readline";
import { clearLine, cursorTo } from "node:readline";
import type { Writable } from "node:stream";

/**
 * The console's output, shared by the REPL, the publisher (digests, run reports) and the log lines
 * shown while the REPL is open. Text printed while the prompt is showing goes above it: at a
 * terminal the prompt line is cleared, the text written, and the prompt drawn again with whatever
 * was typed so far; on a pipe the text starts on a line of its own and the prompt follows it.
 */
export class ConsoleScreen {
  private rl: Interface | null = null;
  private promptShowing = false;
  private broken = false;

  constructor(
    private readonly output: Writable,
    private readonly terminal: boolean,
  ) {
    // A terminal that went away (EIO, EPIPE) must not take the process down: stop writing to it.
    output.on("error", () => {
      this.broken = true;
    });
  }

  /** The REPL's readline interface, whose prompt this screen keeps below what it prints. */
  attach(rl: Interface): void {
    this.rl = rl;
  }

  /** Shows the prompt; text printed from now on goes above it until a line is read. */
  prompt(): void {
    if (this.broken || !this.rl) return;
    this.promptShowing = true;
    this.rl.prompt();
  }

  /** A line was read: the prompt is no longer showing. */
  lineRead(): void {
    this.promptShowing = false;
  }

  /** Writes without touching the prompt (a y/N question that waits on the same line). */
  write(text: string): void {
    if (this.broken) return;
    this.output.write(text);
  }

  print(text: string): void {
    if (this.broken) return;
    if (!this.promptShowing || !this.rl) {
      this.output.write(`${text}\n`);
      return;
    }
    if (this.terminal) {
      clearLine(this.output, 0);
      cursorTo(this.output, 0);
      this.output.write(`${text}\n`);
      this.rl.prompt(true);
      return;
    }
    this.output.write(`\n${text}\n`);
    this.rl.prompt();
  }
}
