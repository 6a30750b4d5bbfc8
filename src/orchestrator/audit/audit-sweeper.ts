import type { Clock, Timer } from "../../clock.js";
import type { AuditRepository } from "../../db/repositories/audit-repository.js";
import type { Logger } from "../../logger.js";

/**
 * Keeps the audit log honest about requests in flight (issue 12, item 5). Every process that
 * opens audit rows renews the lease of those still open — a request waiting for a confirmation
 * stays open as long as its process lives — and closes as `interrupted` the rows whose lease
 * lapsed because their process died. It runs at start and then three times per lease period, so
 * any live process closes a dead one's rows within one lease period of their lapse.
 */
export class AuditSweeper {
  private timer: Timer | null = null;
  private sweeping: Promise<number> | null = null;
  private next: Promise<number> | null = null;

  constructor(private readonly deps: { audit: AuditRepository; clock: Clock; logger: Logger; leaseMs: number }) {}

  async start(): Promise<number> {
    this.timer ??= this.deps.clock.setInterval(
      () => void this.sweep(),
      Math.max(250, Math.floor(this.deps.leaseMs / 3)),
    );
    await this.deps.audit
      .primeChain()
      .catch((error: unknown) => this.deps.logger.warn("could not read the audit chain's head", { error }));
    return this.sweep();
  }

  stop(): Promise<unknown> {
    this.timer?.cancel();
    this.timer = null;
    return this.next ?? this.sweeping ?? Promise.resolve();
  }

  /**
   * Renews this process's open rows, then closes the lapsed ones; resolves with how many it closed.
   * Asked while a sweep runs, it sweeps once more after it (that sweep read an earlier time).
   */
  sweep(): Promise<number> {
    if (this.sweeping) {
      this.next ??= this.sweeping.then(() => {
        this.next = null;
        return this.sweep();
      });
      return this.next;
    }
    this.sweeping = this.sweepOnce().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<number> {
    try {
      await this.deps.audit.renewOpen();
      const closed = await this.deps.audit.closeAbandoned();
      if (closed > 0) this.deps.logger.warn("closed audit rows left open by a process that stopped", { closed });
      return closed;
    } catch (error) {
      this.deps.logger.error("could not sweep the audit log", { error });
      return 0;
    }
  }
}
