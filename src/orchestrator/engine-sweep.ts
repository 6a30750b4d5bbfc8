import type { Clock, Timer } from "../clock.js";
import type { Logger } from "../logger.js";
import type { AgentPool } from "./agents/pool.js";
import type { ApprovalDesk } from "./approvals.js";
import type { ExecutionRecovery } from "./recovery.js";

export interface EngineSweepDeps {
  recovery: ExecutionRecovery;
  approvals: ApprovalDesk;
  pool: AgentPool;
  clock: Clock;
  logger: Logger;
}

/**
 * The engine's periodic sweep: resume executions left behind (another replica's crash is noticed
 * when its lease expires), let approvals past their timeout take their default action, and retire
 * idle agents. Orchestrator steps run it too.
 */
export class EngineSweep {
  private timer: Timer | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(private readonly deps: EngineSweepDeps) {}

  /** Sweeps now, then every `intervalMs`. */
  start(intervalMs: number): Promise<void> {
    this.timer = this.deps.clock.setInterval(() => void this.sweep(), intervalMs);
    return this.sweep();
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    await this.sweeping;
    await this.deps.recovery.stop();
  }

  /** One sweep at a time: a tick while one runs (a slow database, a clock moved far) joins it. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    await this.deps.recovery.sweep();
    try {
      await this.deps.approvals.expire();
      await this.deps.pool.retireIdle();
    } catch (error) {
      this.deps.logger.error("sweep follow-up failed", { error });
    }
  }
}
