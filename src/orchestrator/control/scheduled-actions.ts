import type { Command } from "../../commands/commands.js";
import { ADMIN_PERMISSION, type RequestContext } from "../../commands/context.js";
import type { AuditRepository } from "../../db/repositories/audit-repository.js";
import type { ScheduleRecord } from "../../db/repositories/schedule-repository.js";
import { BatonError, toBatonError } from "../../errors.js";
import type { Result } from "../results.js";
import { describeAction } from "../scheduler/schedule-spec.js";

export interface ScheduledActionDeps {
  audit: AuditRepository;
  now: () => Date;
  /** orchestrator.handle: the scheduler is a front-end like any other (DESIGN.md). */
  handle: (command: Command, context: RequestContext) => Promise<Result>;
  /** Posts a digest for the schedule's period to its channel; resolves with a line saying where. */
  digest: (schedule: ScheduleRecord, fireTime: Date) => Promise<string>;
}

/** Who a schedule's runs are requested by. */
export const SCHEDULER_ACTOR = "scheduler";

/** The actor a schedule acts as, in the audit log, on executions and in the decision journal. */
export function schedulerContext(schedule: ScheduleRecord): RequestContext {
  return {
    actor: { id: SCHEDULER_ACTOR, name: `schedule ${schedule.id}`, platform: schedule.platform },
    origin: { platform: schedule.platform, workspace: null, channel: schedule.channel, thread: null },
    // A schedule is created by someone allowed to; its fires act with the rights to carry it out.
    permission: ADMIN_PERMISSION,
  };
}

/**
 * Carries out one claimed fire and records it in the audit log like any request (platform
 * `scheduler`, keyed by schedule and fire time), whatever its outcome.
 */
export async function actOnFire(deps: ScheduledActionDeps, schedule: ScheduleRecord, fireTime: Date): Promise<string> {
  const started = deps.now();
  const opened = await deps.audit.open({
    at: started,
    platform: "scheduler",
    workspace: null,
    channel: schedule.channel,
    thread: null,
    actorId: "scheduler",
    actorName: `schedule ${schedule.id}`,
    text: `scheduled ${describeAction(schedule)} (${schedule.cron}, ${schedule.timeZone}) for ${fireTime.toISOString()}`,
    dedupeKey: `schedule:${schedule.id}:${fireTime.toISOString()}`,
  });
  const command = commandFor(schedule);
  let executionId: string | null = null;
  try {
    const detail = await perform(deps, schedule, fireTime, command, (id) => {
      executionId = id;
    });
    await close(deps, opened, command, started, executionId, null);
    return detail;
  } catch (caught) {
    await close(deps, opened, command, started, executionId, toBatonError(caught));
    throw caught;
  }
}

function commandFor(schedule: ScheduleRecord): Command {
  if (schedule.action === "workflow.run")
    return { type: "workflow.run", workflow: schedule.workflow ?? "", input: schedule.input };
  if (schedule.action === "digest") return { type: "digest", ...(schedule.channel && { channel: schedule.channel }) };
  return { type: "orchestrator.step" };
}

async function perform(
  deps: ScheduledActionDeps,
  schedule: ScheduleRecord,
  fireTime: Date,
  command: Command,
  started: (executionId: string) => void,
): Promise<string> {
  if (command.type === "digest") return deps.digest(schedule, fireTime);
  const result = await deps.handle(command, schedulerContext(schedule));
  if (result.type === "workflow.run") {
    started(result.execution.id);
    return `started ${result.execution.workflowName} as ${result.execution.id}`;
  }
  if (result.type === "orchestrator.step") {
    return `orchestrator step ${result.run.id}: ${result.run.decisions.length} decision(s), ${result.run.actions.length} action(s)`;
  }
  throw new BatonError("internal", `A scheduled ${command.type} answered ${result.type}.`);
}

async function close(
  deps: ScheduledActionDeps,
  opened: { id: number } | "duplicate",
  command: Command,
  started: Date,
  executionId: string | null,
  error: BatonError | null,
): Promise<void> {
  if (opened === "duplicate") return;
  const finishedAt = deps.now();
  await deps.audit.close(opened.id, {
    finishedAt,
    command,
    commandType: command.type,
    resolvedBy: "schedule",
    confidence: null,
    outcome: error ? "error" : "ok",
    errorCode: error?.code ?? null,
    errorMessage: error?.message ?? null,
    durationMs: finishedAt.getTime() - started.getTime(),
    executionId,
    llm: null,
  });
}
