import { randomBytes } from "node:crypto";
import type { Clock, Timer } from "../../clock.js";

interface Pending {
  requester: string;
  settle: (answer: boolean) => void;
  timer: Timer;
}

export type ConfirmationAnswer = "settled" | "unknown" | "not-yours";

/**
 * Confirmations waiting for a button, keyed by the token in the button's action id. In memory:
 * a restart answers nothing (the request is then recorded as not confirmed after its timeout,
 * or as interrupted), which is the safe side for a destructive command.
 */
export class PendingConfirmations {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly timeoutMs: number,
    private readonly clock: Clock,
  ) {}

  newToken(): string {
    return randomBytes(6).toString("hex");
  }

  /** Resolves true on Confirm, false on Cancel or when nobody answers in time. */
  wait(token: string, requester: string): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => this.settle(token, false), this.timeoutMs);
      this.pending.set(token, { requester, settle: resolve, timer });
    });
  }

  /** Only the person who asked may confirm their own destructive command. */
  answer(token: string, clicker: string, answer: boolean): ConfirmationAnswer {
    const entry = this.pending.get(token);
    if (!entry) return "unknown";
    if (entry.requester !== clicker) return "not-yours";
    this.settle(token, answer);
    return "settled";
  }

  requesterOf(token: string): string | null {
    return this.pending.get(token)?.requester ?? null;
  }

  /** Declines everything still waiting (shutdown). */
  declineAll(): void {
    for (const token of [...this.pending.keys()]) this.settle(token, false);
  }

  private settle(token: string, answer: boolean): void {
    const entry = this.pending.get(token);
    if (!entry) return;
    entry.timer.cancel();
    this.pending.delete(token);
    entry.settle(answer);
  }
}
