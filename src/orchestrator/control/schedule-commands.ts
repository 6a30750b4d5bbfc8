import type { CommandOf } from "../../commands/commands.js";
import type { RequestContext } from "../../commands/context.js";
import type { ScheduleRepository } from "../../db/repositories/schedule-repository.js";
import { BatonError } from "../../errors.js";
import { upcomingFires } from "../scheduler/cron.js";
import { buildSchedule } from "../scheduler/schedule-spec.js";
import { channelId } from "./channels.js";
import type { ControlResult, OrchestratorMode } from "./control-results.js";

export interface ScheduleCommandDeps {
  schedules: ScheduleRepository;
  now: () => Date;
  timeZone: string;
  isWorkflow: (name: string) => boolean;
  requiredInputs: (name: string) => string[];
  mode: () => Promise<OrchestratorMode>;
  /** Re-arms this process's jobs after a change (other replicas re-read on their next refresh). */
  changed: () => Promise<void>;
  /** Problems found in the schedules file on start. */
  problems: () => string[];
  /** BATON_SCHEDULE_MIN_INTERVAL_S: a cron that fires faster is refused. */
  minIntervalS: number;
}

/** `schedule "<cron>" <action> [#channel] [tz=…] [key=value…]`: posts go where it was asked unless a channel is named. */
export async function createSchedule(
  command: CommandOf<"schedule.create">,
  context: RequestContext,
  deps: ScheduleCommandDeps,
): Promise<ControlResult> {
  const now = deps.now();
  const { missed, ...input } = command.input ?? {};
  const schedule = buildSchedule(
    {
      cron: command.cron,
      timeZone: command.tz ?? deps.timeZone,
      action: command.action,
      input,
      platform: context.origin.platform,
      channel: command.target ? channelId(command.target) : context.origin.channel,
      ...(missed !== undefined && { missedPolicy: missed as "skip" | "run_once" }),
      createdBy: `${context.actor.platform}:${context.actor.id}`,
      source: "chat",
    },
    now,
    deps.isWorkflow,
    deps.minIntervalS,
  );
  const missing = schedule.workflow
    ? deps.requiredInputs(schedule.workflow).filter((name) => !Object.hasOwn(schedule.input, name))
    : [];
  if (missing.length > 0)
    throw new BatonError(
      "invalid_command",
      `A scheduled ${schedule.workflow} would fail at every fire without ${missing.map((m) => `\`${m}\``).join(", ")}; add ${missing.map((m) => `${m}=…`).join(" ")} to the schedule.`,
    );
  await deps.schedules.create(schedule);
  await deps.changed();
  return {
    type: "schedule.create",
    schedule,
    upcoming: upcomingFires(schedule.cron, schedule.timeZone, now, 3),
    mode: await deps.mode(),
  };
}

export async function listSchedules(deps: ScheduleCommandDeps): Promise<ControlResult> {
  const now = deps.now();
  const schedules = await deps.schedules.list();
  const listed = await Promise.all(
    schedules.map(async (schedule) => ({
      ...schedule,
      nextFire: schedule.enabled ? (upcomingFires(schedule.cron, schedule.timeZone, now, 1)[0] ?? null) : null,
      lastFire: await deps.schedules.lastFire(schedule.id),
    })),
  );
  return { type: "schedule.list", schedules: listed, problems: deps.problems(), mode: await deps.mode() };
}

export async function deleteSchedule(
  command: CommandOf<"schedule.delete">,
  deps: ScheduleCommandDeps,
): Promise<ControlResult> {
  const schedule = await deps.schedules.get(command.schedule);
  if (!schedule) {
    throw new BatonError(
      "not_found",
      `There is no schedule \`${command.schedule}\`; \`/orchestrate schedules\` lists them.`,
    );
  }
  await deps.schedules.delete(schedule.id);
  await deps.changed();
  return { type: "schedule.delete", schedule };
}
