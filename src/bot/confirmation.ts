import type { Command } from "../commands/commands.js";

/** One sentence saying what a destructive command will do, asked before it runs. */
export function confirmationQuestion(command: Command): string {
  switch (command.type) {
    case "execution.cancel":
      return `Cancel execution ${command.execution}? Steps already done stay done; the rest will not run.`;
    case "workflow.rollback":
      return `Make version ${command.version} the current version of ${command.workflow}?`;
    case "schedule.delete":
      return `Delete schedule ${command.schedule}? It will not fire again.`;
    case "orchestrator.mode":
      return `Switch the orchestrator to ${command.mode} mode? Autonomous work stops until it is resumed.`;
    default: {
      const { type, ...args } = command;
      return `Run ${type} with ${JSON.stringify(args)}, as I understood your message?`;
    }
  }
}
