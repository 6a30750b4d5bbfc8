import type { RequestContext } from "../../commands/context.js";
import { BatonError } from "../../errors.js";
import { listed } from "../approvals.js";
import { channelId } from "../control/channels.js";
import type { WorkflowDefinition } from "./definition.js";

/**
 * A workflow's own `access:` (README "Permissions"), checked after the policy allowed the run:
 * it may only narrow. Admins — by grant, BATON_ADMINS or as the owner — may run any workflow anywhere.
 */
export function checkWorkflowAccess(definition: WorkflowDefinition, context: RequestContext): void {
  const access = definition.access;
  if (access === undefined || context.permission.roles.includes("admin")) return;
  const channel = context.origin.channel;
  if (
    access.channels &&
    (channel === null || !access.channels.some((c) => channelId(c).toLowerCase() === channel.toLowerCase()))
  )
    throw new BatonError(
      "denied",
      `${definition.name} runs only in ${access.channels.join(", ")}; ask there, or ask an admin.`,
    );
  if (access.run && !listed(access.run, context.actor, context.permission.roles))
    throw new BatonError(
      "denied",
      `Only ${access.run.join(", ")} may run ${definition.name} (its access.run); an admin can run it for you or add you there.`,
    );
}
