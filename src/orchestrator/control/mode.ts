import type { Clock } from "../../clock.js";
import { ORCHESTRATOR_MODES } from "../../commands/commands.js";
import type { OrchestratorRunRepository } from "../../db/repositories/orchestrator-run-repository.js";
import type { ControlResult, OrchestratorMode } from "./control-results.js";

/** Before anyone sets a mode, schedules fire and steps run on command or schedule. */
export const DEFAULT_MODE: OrchestratorMode = "scheduled";

function isMode(value: string): value is OrchestratorMode {
  return (ORCHESTRATOR_MODES as readonly string[]).includes(value);
}

/**
 * The orchestrator's mode, persisted so every replica and every restart agrees:
 * - manual: schedules post digests and start workflows; orchestrator steps run only on command;
 * - scheduled (default): every schedule fires, steps included;
 * - continuous: as scheduled, plus one orchestrator step every BATON_CONTINUOUS_DELAY_MS;
 * - paused: no autonomous action at all (fires are recorded as skipped); chat commands still work.
 */
export class ModeControl {
  constructor(
    private readonly runs: OrchestratorRunRepository,
    private readonly clock: Clock,
  ) {}

  async setting(): Promise<{ mode: OrchestratorMode; updatedBy: string | null }> {
    const stored = await this.runs.mode();
    if (!stored || !isMode(stored.mode)) return { mode: DEFAULT_MODE, updatedBy: null };
    return { mode: stored.mode, updatedBy: stored.updatedBy };
  }

  async current(): Promise<OrchestratorMode> {
    return (await this.setting()).mode;
  }

  async change(mode: OrchestratorMode, by: string): Promise<ControlResult> {
    const previous = await this.current();
    await this.runs.setMode(mode, by, this.clock.now());
    return { type: "orchestrator.mode", mode, previous };
  }
}
