import type { ImproveService } from "../improve/improve-service.js";
import type { Handlers } from "./handler.js";

/** `/improve` feedback and rollback; proposals are approved and rejected by the decision handlers. */
export function improveHandlers(improve: ImproveService): Handlers<"improve" | "workflow.rollback" | "proposal.list"> {
  return {
    "proposal.list": (command) => improve.list(command),
    improve: (command, context) => improve.receive(command, context),
    "workflow.rollback": (command, context) => improve.rollback(command, context.actor),
  };
}
