import type { Clock } from "../../clock.js";
import type { DigestRepository } from "../../db/repositories/digest-repository.js";
import type { OrchestratorRunRepository } from "../../db/repositories/orchestrator-run-repository.js";
import { STALE_CLAIM_MS } from "../digest/compose-digest.js";
import type { ControlSnapshot } from "./control-results.js";
import type { ModeControl } from "./mode.js";
import type { ScheduleBook } from "./schedule-book.js";

export interface ControlSnapshotDeps {
  book: ScheduleBook;
  modes: ModeControl;
  runs: OrchestratorRunRepository;
  digests: DigestRepository;
  clock: Clock;
}

/** Status's control part: the mode, the last step, the next fire, and digests or fires in trouble. */
export async function controlSnapshot(deps: ControlSnapshotDeps): Promise<ControlSnapshot> {
  const now = deps.clock.now();
  const [mode, lastRun, next, schedules, undelivered, troubled] = await Promise.all([
    deps.modes.setting(),
    deps.runs.last(),
    deps.book.next(),
    deps.book.schedules.list({ enabledOnly: true }),
    deps.digests.undelivered(5),
    deps.book.schedules.unsuccessfulFiresSince(
      new Date(now.getTime() - 24 * 3600_000),
      new Date(now.getTime() - STALE_CLAIM_MS),
      5,
    ),
  ]);
  return {
    mode: mode.mode,
    modeChangedBy: mode.updatedBy,
    lastRun,
    nextFire: next && {
      scheduleId: next.schedule.id,
      action: next.schedule.action,
      channel: next.schedule.channel,
      at: next.at,
    },
    schedules: schedules.length,
    undeliveredDigests: undelivered,
    troubledFires: troubled,
    problems: deps.book.problems(),
  };
}
