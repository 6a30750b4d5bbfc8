import { type AccessHandlerDeps, accessHandlers } from "../access/access-handlers.js";
import { type IdentityHandlerDeps, identityHandlers } from "../access/identity-handlers.js";
import { type TokenHandlerDeps, tokenHandlers } from "../access/token-handlers.js";
import { type AgentHandlerDeps, agentHandlers } from "../agents/agent-handlers.js";
import { type BudgetHandlerDeps, budgetHandlers } from "../budgets/budget-handlers.js";
import { type ControlHandlerDeps, controlHandlers } from "../control/control-handlers.js";
import type { ImproveService } from "../improve/improve-service.js";
import type { PatternOffers } from "../improve/pattern-offers.js";
import type { StatusSnapshot } from "../results.js";
import { type DecisionDeps, decisionHandlers } from "./decision-handlers.js";
import type { HandlerTable } from "./handler.js";
import { improveHandlers } from "./improve-handlers.js";
import { type InfoDeps, infoHandlers } from "./info-handlers.js";
import { type WorkflowHandlerDeps, workflowHandlers } from "./workflow-handlers.js";
import { type RunLimitDeps, withAdminDetail, withPatternOffer, withRunLimit, withStatus } from "./wrappers.js";

export interface HandlerTableDeps {
  info: InfoDeps;
  workflows: WorkflowHandlerDeps;
  decisions: DecisionDeps;
  agents: AgentHandlerDeps;
  budgets: BudgetHandlerDeps;
  improve: ImproveService;
  control: ControlHandlerDeps;
  runLimit: RunLimitDeps;
  offers: PatternOffers;
  access: AccessHandlerDeps & IdentityHandlerDeps & TokenHandlerDeps;
  /** This process's lease owner id, in an admin's status internals. */
  owner: string;
  /** What status adds beyond the engine's own counts: agents and feedback, the control plane. */
  statusParts: ReadonlyArray<(status: StatusSnapshot) => Promise<StatusSnapshot>>;
}

/**
 * Every command type's handler, from the handler modules, with the cross-cutting behaviour
 * wrapped around the handlers it concerns. The return type makes a missing handler a compile error.
 */
export function createHandlerTable(deps: HandlerTableDeps): HandlerTable {
  const info = infoHandlers(deps.info);
  const workflows = workflowHandlers(deps.workflows);
  const control = controlHandlers(deps.control);
  return {
    ...info,
    status: withAdminDetail(deps.owner)(
      deps.statusParts.reduce((handler, part) => withStatus(part)(handler), info.status),
    ),
    ...workflows,
    "workflow.run": withRunLimit(deps.runLimit)(
      withPatternOffer<"workflow.run">(deps.offers)(workflows["workflow.run"]),
    ),
    ...decisionHandlers(deps.decisions),
    ...agentHandlers(deps.agents),
    ...budgetHandlers(deps.budgets),
    ...improveHandlers(deps.improve),
    ...control,
    ...accessHandlers(deps.access),
    ...identityHandlers(deps.access),
    ...tokenHandlers(deps.access),
    digest: withPatternOffer<"digest">(deps.offers)(control.digest),
    "orchestrator.step": withPatternOffer<"orchestrator.step">(deps.offers)(control["orchestrator.step"]),
  };
}
