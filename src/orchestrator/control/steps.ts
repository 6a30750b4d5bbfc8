import type { OrchestratorRunRecord } from "../../db/repositories/orchestrator-run-repository.js";
import type { ModeControl } from "./mode.js";
import { runStep, type StepDeps } from "./step.js";

/** Orchestrator steps, on command, on schedule or in continuous mode; stopping waits for the one running. */
export class OrchestratorSteps {
  private stepping: Promise<unknown> | null = null;

  constructor(private readonly deps: StepDeps & { modes: ModeControl }) {}

  run(kind: string, by: string): Promise<OrchestratorRunRecord> {
    const work = this.deps.modes.current().then((mode) => runStep(this.deps, { kind, by, mode }));
    this.stepping = work.catch(() => undefined);
    return work;
  }

  /** Resolves once the step in progress (if any) has finished. */
  async settled(): Promise<void> {
    await this.stepping;
  }
}
