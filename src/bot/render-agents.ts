import type { BudgetLimits } from "../db/repositories/budget-repository.js";
import type { AgentResult, AgentSummary } from "../orchestrator/results-agents.js";
import { formatWhen, plural, type RenderTime } from "./format.js";
import { renderImproveResult } from "./render-improve.js";
import { type Reply, reply } from "./reply.js";

/** Agent results → Reply (pure, unit-testable). */
export function renderAgentResult(result: AgentResult, time: RenderTime): Reply {
  switch (result.type) {
    case "ask": {
      const note = result.answer.capped ? " (stopped at the turn limit)" : "";
      const tools = result.answer.toolCalls.length > 0 ? `, looked up ${result.answer.toolCalls.join(", ")}` : "";
      return reply(result.answer.text, [
        { type: "section", text: result.answer.text },
        {
          type: "context",
          text: `${result.agent.specialty} agent \`${result.agent.id}\` · ${result.answer.provider} (${result.answer.model})${tools}${note}`,
        },
      ]);
    }
    case "agent.spawn":
      return reply(`🤖 Spawned \`${result.agent.id}\` (${result.agent.specialty}): ${result.agent.goal}`);
    case "agent.retire":
      return reply(`Retired \`${result.agent.id}\` (${result.agent.specialty}).`);
    case "agent.list":
      return renderAgentList(result.agents, result.specialties, time);
    case "budget.show":
      return renderBudgets(result);
    case "budget.set":
      return reply(`Budget ${result.budget.scope}: ${limitsText(result.budget.limits)}.`);
    default:
      return renderImproveResult(result);
  }
}

function renderAgentList(
  agents: AgentSummary[],
  specialties: Array<{ name: string; purpose: string }>,
  time: RenderTime,
): Reply {
  const lines = agents.map(
    (a) =>
      // Whether this process holds the agent in memory is an internal detail: every CLI call starts empty.
      `\`${a.id}\` ${a.specialty} — ${a.goal} (by ${a.createdBy ?? "a workflow"}, used ${formatWhen(a.lastUsedAt, time)})`,
  );
  const header = agents.length === 0 ? "No active agents." : `${plural(agents.length, "active agent")}:`;
  const text = [header, ...lines].join("\n");
  return reply(text, [
    { type: "section", text: header },
    ...(lines.length > 0 ? [{ type: "list" as const, items: lines }] : []),
    { type: "context", text: `Specialties: ${specialties.map((s) => s.name).join(", ")}` },
  ]);
}

function limitsText(limits: BudgetLimits): string {
  const parts = Object.entries(limits).map(([key, value]) => `${key}=${value}`);
  return parts.length > 0 ? parts.join(", ") : "no limits";
}

function renderBudgets(result: Extract<AgentResult, { type: "budget.show" }>): Reply {
  const spent = (scope: string) => {
    const usage = result.usage.find((u) => u.scope === scope);
    return usage ? `$${usage.spentUsd.toFixed(4)} spent, $${usage.reservedUsd.toFixed(4)} reserved` : "$0 spent";
  };
  const lines = result.budgets.map((b) => `${b.scope}: ${limitsText(b.limits)} — today ${spent(b.scope)}`);
  if (!result.budgets.some((b) => b.scope === "global")) lines.unshift(`global: no limits — today ${spent("global")}`);
  const header = `Budgets on ${result.day}`;
  return reply([header, ...lines].join("\n"), [
    { type: "header", text: header },
    { type: "list", items: lines },
  ]);
}
