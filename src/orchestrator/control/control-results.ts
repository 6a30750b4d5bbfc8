import type { ORCHESTRATOR_MODES } from "../../commands/commands.js";
import type { DigestDeliveryRecord } from "../../db/repositories/digest-repository.js";
import type { OrchestratorRunRecord } from "../../db/repositories/orchestrator-run-repository.js";
import type { ScheduleFire, ScheduleRecord } from "../../db/repositories/schedule-repository.js";
import type { DeliveryReport, Digest } from "../digest/digest.js";

export type OrchestratorMode = (typeof ORCHESTRATOR_MODES)[number];

export interface ScheduleListing extends ScheduleRecord {
  nextFire: Date | null;
  lastFire: ScheduleFire | null;
}

/** What the control plane's commands answer (joined into the orchestrator's Result union). */
export type ControlResult =
  | { type: "schedule.create"; schedule: ScheduleRecord; upcoming: Date[]; mode: OrchestratorMode }
  | { type: "schedule.list"; schedules: ScheduleListing[]; problems: string[]; mode: OrchestratorMode }
  | { type: "schedule.delete"; schedule: ScheduleRecord }
  | { type: "orchestrator.mode"; mode: OrchestratorMode; previous: OrchestratorMode }
  | { type: "orchestrator.step"; run: OrchestratorRunRecord }
  | { type: "orchestrator.journal"; runs: OrchestratorRunRecord[] }
  | { type: "digest"; digest: Digest; delivery: DeliveryReport | null };

/** The control plane's part of `status`. */
export interface ControlSnapshot {
  mode: OrchestratorMode;
  modeChangedBy: string | null;
  lastRun: OrchestratorRunRecord | null;
  nextFire: { scheduleId: string; action: string; channel: string | null; at: Date } | null;
  schedules: number;
  undeliveredDigests: DigestDeliveryRecord[];
  /** Schedule fires in the last 24 hours that failed or were skipped. */
  troubledFires: ScheduleFire[];
  problems: string[];
}
