import type { AgentRepository } from "../../db/repositories/agent-repository.js";
import type { BudgetRepository } from "../../db/repositories/budget-repository.js";
import type { ExecutionRecord, ExecutionRepository } from "../../db/repositories/execution-repository.js";
import { BudgetLimitError } from "./budget-exceeded.js";
import { personIds, scopesFor } from "./scopes.js";

/** max_agents: active agents in the global, user and channel scopes before one more is spawned. */
export async function checkAgentLimit(
  budgets: BudgetRepository,
  agents: AgentRepository,
  owner: { actorId: string | null; actorIds?: readonly string[]; channel: string | null },
): Promise<void> {
  const limited = (await budgets.forScopes(scopesFor(owner))).filter((b) => b.limits.max_agents !== undefined);
  const person = personIds(owner);
  for (const budget of limited) {
    const [kind, id] = splitScope(budget.scope);
    // A user budget on one of this person's accounts counts the agents of all of them.
    const createdBy = person.includes(id) ? person : [id];
    const used = await agents.countActive(kind === "user" ? { createdBy } : kind === "channel" ? { channel: id } : {});
    const limitValue = budget.limits.max_agents as number;
    if (used + 1 > limitValue) {
      throw new BudgetLimitError({ scope: budget.scope, limit: "max_agents", limitValue, used, requested: 1 });
    }
  }
}

/** max_concurrent_runs: running and waiting executions in each scope before one more starts. */
export async function checkRunLimit(
  budgets: BudgetRepository,
  executions: ExecutionRepository,
  owner: { actorId: string; actorIds?: readonly string[]; channel: string | null; workflow: string },
): Promise<void> {
  const limited = (await budgets.forScopes(scopesFor(owner))).filter((b) => b.limits.max_concurrent_runs !== undefined);
  if (limited.length === 0) return;
  const active = [
    ...(await executions.list({ status: "running", limit: 1000 })),
    ...(await executions.list({ status: "pending", limit: 1000 })),
  ];
  for (const budget of limited) {
    const used = active.filter((e) => inScope(e, budget.scope, personIds(owner))).length;
    const limitValue = budget.limits.max_concurrent_runs as number;
    if (used + 1 > limitValue) {
      throw new BudgetLimitError({ scope: budget.scope, limit: "max_concurrent_runs", limitValue, used, requested: 1 });
    }
  }
}

function splitScope(scope: string): [string, string] {
  const at = scope.indexOf(":");
  return at === -1 ? [scope, ""] : [scope.slice(0, at), scope.slice(at + 1)];
}

/** `person`: the ids of the asker's linked accounts; a user budget on one of them counts all their runs. */
function inScope(execution: ExecutionRecord, scope: string, person: readonly string[]): boolean {
  const [kind, id] = splitScope(scope);
  if (kind === "global") return true;
  if (kind === "project") return execution.workflowName === id;
  if (kind === "user")
    return person.includes(id) ? person.includes(execution.requestedBy) : execution.requestedBy === id;
  return execution.channel === id;
}
