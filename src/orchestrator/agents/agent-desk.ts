import type { Clock } from "../../clock.js";
import type { Command, CommandOf } from "../../commands/commands.js";
import type { RequestContext } from "../../commands/context.js";
import type { ModelPrice } from "../../config-llm.js";
import type { Database } from "../../db/database.js";
import type { ExecutionRecord, ExecutionRepository } from "../../db/repositories/execution-repository.js";
import { FeedbackRepository } from "../../db/repositories/feedback-repository.js";
import { ProposalRepository } from "../../db/repositories/proposal-repository.js";
import type { Logger } from "../../logger.js";
import { applyBudgetChoice } from "../budgets/budget-decisions.js";
import { setBudget, showBudgets } from "../budgets/budget-handlers.js";
import { budgetWaitOf } from "../budgets/budget-pause.js";
import { checkRunLimit } from "../budgets/count-limits.js";
import type { OrchestratorEventBus } from "../events.js";
import { parseProposalId } from "../improve/improve-results.js";
import { ImproveService } from "../improve/improve-service.js";
import { PatternDetector, type PatternOffer, type SchedulableCommand } from "../improve/patterns.js";

/** How long an offer waits for the front-end that started its run to ask for it. */
const OFFER_KEPT_MS = 10 * 60_000;

import type { Result } from "../results.js";
import type { ToolRegistry } from "../tools/registry.js";
import type { WorkflowCatalog } from "../workflow/catalog.js";
import { askAgent, listAgents, retireAgent, spawnAgent } from "./agent-handlers.js";
import { type AgentsSetup, reportBreach } from "./create-agents.js";

export interface AgentDeskDeps {
  database: Database;
  agents: AgentsSetup;
  executions: ExecutionRepository;
  catalog: WorkflowCatalog;
  tools: ToolRegistry;
  events: OrchestratorEventBus;
  clock: Clock;
  logger: Logger;
  price: (model: string) => ModelPrice | undefined;
}

/**
 * The orchestrator's issue-7 commands in one place: agents, budgets, `/improve` and its proposals,
 * rollback, plus what they add around workflow runs (run limits, pattern offers) and status.
 */
export class AgentDesk {
  readonly improve: ImproveService;
  private readonly patterns: PatternDetector;
  private readonly offers = new Map<string, Promise<PatternOffer | null>>();

  constructor(private readonly deps: AgentDeskDeps) {
    const { agents } = deps;
    this.patterns = new PatternDetector({ database: deps.database, events: deps.events, clock: deps.clock });
    this.improve = new ImproveService({
      ...deps,
      feedback: new FeedbackRepository(deps.database),
      proposals: new ProposalRepository(deps.database),
      agents: agents.chat ? agents.service : null,
      chat: agents.chat,
    });
  }

  /** The result of a command this desk answers; null for the rest. */
  handle(command: Command, context: RequestContext): Promise<Result> | null {
    const { agents } = this.deps;
    switch (command.type) {
      case "ask":
        return askAgent(command, context, agents);
      case "agent.spawn":
        return spawnAgent(command, context, agents);
      case "agent.list":
        return listAgents(agents);
      case "agent.retire":
        return retireAgent(command, agents);
      case "improve":
        return this.improve.receive(command, context);
      case "workflow.rollback":
        return this.improve.rollback(command, context.actor);
      case "budget.show":
        return showBudgets(command, this.budgetDeps());
      case "budget.set":
        return setBudget(command, context, this.budgetDeps());
      case "execution.approve":
      case "execution.reject": {
        // Proposals are answered like approvals: approve imp_N applies, reject imp_N discards.
        const proposal = parseProposalId(command.execution);
        if (proposal === null) return null;
        return command.type === "execution.approve"
          ? this.improve.apply(proposal, context.actor)
          : this.improve.discard(proposal, context.actor);
      }
      default:
        return null;
    }
  }

  /** max_concurrent_runs, before a run starts. */
  beforeRun(command: CommandOf<"workflow.run">, context: RequestContext): Promise<void> {
    const check = checkRunLimit(this.deps.agents.budgets, this.deps.executions, {
      actorId: context.actor.id,
      channel: context.origin.channel,
      workflow: command.workflow,
    });
    return reportBreach(this.deps.events, { actorId: context.actor.id }, check);
  }

  /**
   * A request made for the third time in a week gets an offer to schedule it or save its inputs.
   * The check runs beside the run, off its path; the front-end asks for the offer once the run
   * settles (`patternOfferFor`).
   */
  afterRun(command: CommandOf<"workflow.run">, context: RequestContext, result: Result): Result {
    if (result.type !== "workflow.run") return result;
    this.watchForPattern(command, context, result.execution.id, result.execution.id);
    return result;
  }

  /**
   * The same for the other requests a schedule could take over (a digest, an orchestrator step),
   * keyed by the request's audit row: `patternOfferFor(\`audit:<id>\`)`.
   */
  afterRequest(command: SchedulableCommand, context: RequestContext): void {
    if (context.auditId !== undefined) this.watchForPattern(command, context, `audit:${context.auditId}`, null);
  }

  private watchForPattern(
    command: SchedulableCommand,
    context: RequestContext,
    key: string,
    executionId: string | null,
  ): void {
    const check = this.patterns.observe(command, context, executionId).catch((error: unknown) => {
      this.deps.logger.warn("pattern detection failed", { error });
      return null;
    });
    this.offers.set(key, check);
    // Nobody may ask (a scheduled run): an offer is kept for a while, a non-offer not at all.
    void check.then((offer) => {
      if (!offer) this.offers.delete(key);
      else this.deps.clock.setTimeout(() => this.offers.delete(key), OFFER_KEPT_MS);
    });
  }

  /** The pattern offer for a run (by execution id) or request (`audit:<id>`), once; null when none. */
  patternOfferFor(key: string): Promise<PatternOffer | null> | null {
    const offer = this.offers.get(key) ?? null;
    this.offers.delete(key);
    return offer;
  }

  /** Status adds active agents and feedback awaiting review. */
  async withStatus(result: Result): Promise<Result> {
    if (result.type !== "status") return result;
    const [active, feedback] = await Promise.all([
      this.deps.agents.agents.countActive(),
      this.improve.awaitingReview(),
    ]);
    return { ...result, status: { ...result.status, agents: { active, feedbackAwaitingReview: feedback.length } } };
  }

  /** Approving a run paused by a budget: raise the cap, or continue on a cheaper model. */
  async onBudgetApproved(execution: ExecutionRecord, note: string | undefined, context: RequestContext) {
    const wait = budgetWaitOf(execution);
    if (!wait) return "";
    return applyBudgetChoice(execution, wait, note, context.actor, {
      budgets: this.deps.agents.budgets,
      service: this.deps.agents.service,
      price: this.deps.price,
      clock: this.deps.clock,
    });
  }

  private budgetDeps() {
    return { budgets: this.deps.agents.budgets, guard: this.deps.agents.guard, now: () => this.deps.clock.now() };
  }
}
