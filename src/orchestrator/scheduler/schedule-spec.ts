import {
  MISSED_POLICIES,
  type MissedPolicy,
  SCHEDULE_ACTIONS,
  type ScheduleAction,
  type ScheduleRecord,
} from "../../db/repositories/schedule-repository.js";
import { BatonError } from "../../errors.js";
import { newId } from "../ids.js";
import { checkCron, expandCron } from "./cron.js";
import { checkCronInterval } from "./cron-interval.js";

/** What a person (chat) or a file (YAML) asks for; checked into a ScheduleRecord by `buildSchedule`. */
export interface ScheduleRequest {
  id?: string;
  cron: string;
  timeZone: string;
  /** `digest`, `orchestrator.step`, `workflow.run` (with `workflow`), or a workflow name as shorthand. */
  action: string;
  workflow?: string;
  input?: Record<string, string>;
  platform: string;
  channel: string | null;
  enabled?: boolean;
  missedPolicy?: MissedPolicy;
  createdBy: string;
  source: string;
}

const ALIASES: Record<string, ScheduleAction> = {
  digest: "digest",
  step: "orchestrator.step",
  "orchestrator.step": "orchestrator.step",
  "workflow.run": "workflow.run",
  run: "workflow.run",
};

/** Resolves the action: `run <workflow>` can be typed as `workflow.run`+workflow, or as `run:<workflow>`. */
function resolveAction(request: ScheduleRequest, isWorkflow: (name: string) => boolean) {
  const typed = request.action.trim();
  const [head = "", tail] = typed.split(":", 2);
  const action = ALIASES[head.toLowerCase()];
  const workflow = request.workflow ?? request.input?.workflow ?? tail;
  if (action === "workflow.run") {
    if (!workflow) {
      throw new BatonError(
        "invalid_command",
        'A `workflow.run` schedule needs the workflow to run: add `workflow=<name>`, e.g. `schedule "0 6 * * *" workflow.run workflow=healthcheck`.',
      );
    }
    return { action, workflow };
  }
  if (action) return { action, workflow: null };
  if (isWorkflow(typed)) return { action: "workflow.run" as const, workflow: typed };
  throw new BatonError(
    "invalid_command",
    `\`${typed}\` is not something baton can schedule; use ${SCHEDULE_ACTIONS.map((a) => `\`${a}\``).join(", ")} or the name of a workflow.`,
  );
}

/**
 * Checks cron, zone, how often it fires (at most once every `minIntervalS`, default a minute),
 * action and target; throws one clear sentence when something is off.
 */
export function buildSchedule(
  request: ScheduleRequest,
  now: Date,
  isWorkflow: (name: string) => boolean,
  minIntervalS = 60,
): ScheduleRecord {
  checkCron(request.cron, request.timeZone);
  checkCronInterval(request.cron, minIntervalS);
  const { action, workflow } = resolveAction(request, isWorkflow);
  if (workflow && !isWorkflow(workflow)) {
    throw new BatonError(
      "invalid_command",
      `There is no workflow \`${workflow}\` to schedule; \`/orchestrate workflows\` lists them.`,
    );
  }
  if (action === "digest" && !request.channel) {
    throw new BatonError(
      "invalid_command",
      'A digest schedule needs a channel to post to, e.g. `schedule "0 9 * * 1-5" digest #ops`.',
    );
  }
  const policy = request.missedPolicy ?? "skip";
  if (!MISSED_POLICIES.includes(policy)) {
    throw new BatonError("invalid_command", `\`${policy}\` is not a missed-fire policy; use \`skip\` or \`run_once\`.`);
  }
  const { workflow: _w, ...input } = request.input ?? {};
  return {
    id: request.id ?? newId("sch"),
    cron: expandCron(request.cron),
    timeZone: request.timeZone,
    action,
    workflow,
    input,
    platform: request.platform,
    channel: request.channel ? request.channel.replace(/^#/, "") : null,
    enabled: request.enabled ?? true,
    missedPolicy: policy,
    createdBy: request.createdBy,
    source: request.source,
    createdAt: now,
    updatedAt: now,
  };
}

/** "digest → #ops", "workflow.run healthcheck → #ops", for lists and confirmations. */
export function describeAction(schedule: Pick<ScheduleRecord, "action" | "workflow" | "channel">): string {
  const what = schedule.action === "workflow.run" ? `run ${schedule.workflow ?? "?"}` : schedule.action;
  return schedule.channel ? `${what} → #${schedule.channel}` : what;
}
