import type { Command } from "../../commands/commands.js";
import type { ScheduleRepository } from "../../db/repositories/schedule-repository.js";
import { BatonError } from "../../errors.js";
import { executionDetail, isFinished, type WorkflowLookups } from "./workflow-handlers.js";

/** What a destructive command acts on must exist (and a run to cancel must not have finished). */
export async function checkTarget(
  command: Command,
  deps: WorkflowLookups & { schedules: ScheduleRepository },
): Promise<void> {
  if (command.type === "schedule.delete" && !(await deps.schedules.get(command.schedule))) {
    throw new BatonError(
      "not_found",
      `There is no schedule \`${command.schedule}\`; \`/orchestrate schedules\` lists them.`,
    );
  }
  if (command.type !== "execution.cancel") return;
  const { execution } = await executionDetail(command.execution, deps);
  if (isFinished(execution.status)) {
    throw new BatonError(
      "invalid_command",
      `\`${execution.id}\` has already ${execution.status}; there is nothing to cancel.`,
    );
  }
}
