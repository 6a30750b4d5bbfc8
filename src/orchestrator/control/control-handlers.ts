import type { Clock } from "../../clock.js";
import type { Handlers } from "../handlers/handler.js";
import type { DigestDesk } from "./digest-desk.js";
import type { ModeControl } from "./mode.js";
import type { ScheduleBook } from "./schedule-book.js";
import { createSchedule, deleteSchedule, listSchedules, type ScheduleCommandDeps } from "./schedule-commands.js";
import type { OrchestratorSteps } from "./steps.js";

type ControlCommandType =
  | "schedule.create"
  | "schedule.list"
  | "schedule.delete"
  | "orchestrator.mode"
  | "orchestrator.step"
  | "digest";

export interface ControlHandlerDeps {
  book: ScheduleBook;
  modes: ModeControl;
  steps: OrchestratorSteps;
  digestDesk: DigestDesk;
  clock: Clock;
  timeZone: string;
  isWorkflow: (name: string) => boolean;
  /** A workflow's required inputs: a scheduled run must carry them, or every fire would fail. */
  requiredInputs: (name: string) => string[];
  minIntervalS: number;
}

/** Schedules, the mode, orchestrator steps and the digest on request. */
export function controlHandlers(deps: ControlHandlerDeps): Handlers<ControlCommandType> {
  const schedules: ScheduleCommandDeps = {
    schedules: deps.book.schedules,
    now: () => deps.clock.now(),
    timeZone: deps.timeZone,
    isWorkflow: deps.isWorkflow,
    requiredInputs: deps.requiredInputs,
    mode: () => deps.modes.current(),
    changed: () => deps.book.changed(),
    problems: () => deps.book.problems(),
    minIntervalS: deps.minIntervalS,
  };
  return {
    "schedule.create": (command, context) => createSchedule(command, context, schedules),
    "schedule.list": () => listSchedules(schedules),
    "schedule.delete": (command) => deleteSchedule(command, schedules),
    "orchestrator.mode": (command, context) =>
      deps.modes.change(command.mode, `${context.actor.platform}:${context.actor.id}`),
    "orchestrator.step": async (_command, context) => ({
      type: "orchestrator.step",
      run: await deps.steps.run("command", context.actor.name),
    }),
    digest: (command, context) => deps.digestDesk.onRequest(command, context),
  };
}
