import { randomBytes } from "node:crypto";
import type { Clock, Timer } from "../../clock.js";

interface Pending {
  requesterId: string;
  resolve: (confirmed: boolean) => void;
  timer: Timer;
}

export type ConfirmationAnswer = "answered" | "not-yours" | "unknown";

/**
 * Confirmations waiting for a button click. The token travels in the buttons' custom ids; only the
 * person who asked may answer. An unanswered prompt counts as declined after `timeoutMs`, before
 * the interaction's 15-minute token expires, so the outcome can still be posted.
 */
export class PendingConfirmations {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs = 10 * 60_000,
  ) {}

  open(requesterId: string): { token: string; answer: Promise<boolean> } {
    const token = `c_${randomBytes(8).toString("hex")}`;
    const answer = new Promise<boolean>((resolve) => {
      const timer = this.clock.setTimeout(() => this.settle(token, false), this.timeoutMs);
      this.pending.set(token, { requesterId, resolve, timer });
    });
    return { token, answer };
  }

  answer(token: string, userId: string, confirmed: boolean): ConfirmationAnswer {
    const pending = this.pending.get(token);
    if (!pending) return "unknown";
    if (pending.requesterId !== userId) return "not-yours";
    this.settle(token, confirmed);
    return "answered";
  }

  /** Shutdown: every open prompt counts as declined, so nothing runs unconfirmed. */
  declineAll(): void {
    for (const token of [...this.pending.keys()]) this.settle(token, false);
  }

  private settle(token: string, confirmed: boolean): void {
    const pending = this.pending.get(token);
    if (!pending) return;
    this.pending.delete(token);
    pending.timer.cancel();
    pending.resolve(confirmed);
  }
}
