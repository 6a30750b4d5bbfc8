import type { Clock } from "../../clock.js";
import type { CommandOf } from "../../commands/commands.js";
import { type Actor, type RequestContext, userIdsOf } from "../../commands/context.js";
import type { ExecutionRecord, ExecutionRepository } from "../../db/repositories/execution-repository.js";
import type { FeedbackRecord, FeedbackRepository } from "../../db/repositories/feedback-repository.js";
import type { ProposalRepository } from "../../db/repositories/proposal-repository.js";
import { BatonError, toBatonError } from "../../errors.js";
import type { ChatModel } from "../../llm/chat-model.js";
import type { Logger } from "../../logger.js";
import type { AgentRunner } from "../agents.js";
import type { OrchestratorEventBus } from "../events.js";
import type { ToolRegistry } from "../tools/registry.js";
import { checksum, type WorkflowCatalog } from "../workflow/catalog.js";
import { type ImproveResult, proposalId } from "./improve-results.js";
import { definitionYaml, proposeImprovement } from "./improver.js";
import { lineDiff } from "./line-diff.js";
import { replayProposal } from "./replay.js";

export interface ImproveDeps {
  feedback: FeedbackRepository;
  proposals: ProposalRepository;
  executions: ExecutionRepository;
  catalog: WorkflowCatalog;
  tools: ToolRegistry;
  agents: AgentRunner | null;
  chat: ChatModel | null;
  events: OrchestratorEventBus;
  clock: Clock;
  logger: Logger;
}

/**
 * `/improve`: feedback is stored and acknowledged at once. With an LLM, an improver proposes a new
 * version in the background, replayed against the run the feedback is about; a person applies it
 * (it becomes current, runs in flight stay on theirs) or discards it. Without one, the feedback
 * waits for review (status, digest).
 */
export class ImproveService {
  private readonly inProgress = new Map<number, Promise<ImproveResult>>();

  constructor(private readonly deps: ImproveDeps) {}

  async receive(command: CommandOf<"improve">, context: RequestContext): Promise<ImproveResult> {
    const execution = await this.target(command.execution, context.actor);
    const proposing = this.deps.chat !== null && execution !== null;
    const feedback = await this.deps.feedback.create({
      at: this.deps.clock.now(),
      actorId: context.actor.id,
      executionId: execution?.id ?? null,
      workflowName: execution?.workflowName ?? null,
      workflowVersion: execution?.workflowVersion ?? null,
      text: command.feedback,
      status: proposing ? "proposing" : "awaiting_review",
      channel: context.origin.channel,
      thread: context.origin.thread,
    });
    this.deps.events.emit("feedback.received", {
      feedbackId: feedback.id,
      actorId: feedback.actorId,
      executionId: feedback.executionId,
      workflow: feedback.workflowName,
      text: feedback.text,
    });
    if (proposing && execution) {
      const work = this.propose(feedback, execution);
      this.inProgress.set(feedback.id, work);
      void work.finally(() => this.inProgress.delete(feedback.id));
    }
    return { type: "improve", feedback, proposing };
  }

  /** Feedback nobody has acted on yet (status; the digest reads FeedbackRepository.awaitingReview). */
  awaitingReview(): Promise<FeedbackRecord[]> {
    return this.deps.feedback.awaitingReview(200);
  }

  /** The proposal being prepared for a feedback, when one is (the dispatcher edits its ack with it). */
  proposalFor(feedbackId: number): Promise<ImproveResult> | null {
    return this.inProgress.get(feedbackId) ?? null;
  }

  async list(command: CommandOf<"proposal.list">): Promise<ImproveResult> {
    const proposals = await this.deps.proposals.list({
      limit: command.limit ?? 10,
      ...(command.status !== undefined && { status: command.status }),
      ...(command.workflow !== undefined && { workflow: command.workflow }),
    });
    return { type: "proposal.list", proposals, ...(command.status !== undefined && { status: command.status }) };
  }

  async apply(id: number, actor: Actor): Promise<ImproveResult> {
    const proposal = await this.open(id);
    const definition = proposal.definition as Parameters<WorkflowCatalog["saveVersion"]>[0];
    // A proposal that is the current version exactly would mint no new version: say so, save nothing.
    const current = await this.deps.catalog.current(proposal.workflowName);
    if (checksum(current.definition) === checksum(definition))
      throw new BatonError(
        "invalid_command",
        `\`${proposalId(id)}\` changes nothing: ${proposal.workflowName} v${current.record.currentVersion} is already exactly that, so no version was saved; \`/orchestrate reject ${proposalId(id)}\` discards it.`,
      );
    // Claimed first, so two people pressing Apply save one version.
    if (!(await this.decide(id, "applied", null, actor))) throw decidedElsewhere(id);
    const version = await this.deps.catalog.saveVersion(definition, `improve:${proposalId(id)}`, actor.id);
    await this.deps.proposals.recordAppliedVersion(id, version);
    this.deps.events.emit("improvement.applied", {
      proposalId: id,
      workflow: proposal.workflowName,
      baseVersion: proposal.baseVersion,
      version,
      actorId: actor.id,
    });
    return { type: "improve.applied", proposal: { ...proposal, status: "applied", appliedVersion: version }, version };
  }

  async discard(id: number, actor: Actor): Promise<ImproveResult> {
    const proposal = await this.open(id);
    if (!(await this.decide(id, "discarded", null, actor))) throw decidedElsewhere(id);
    return { type: "improve.discarded", proposal: { ...proposal, status: "discarded" } };
  }

  async rollback(command: CommandOf<"workflow.rollback">, actor: Actor): Promise<ImproveResult> {
    const current = await this.deps.catalog.current(command.workflow);
    await this.deps.catalog.makeCurrent(command.workflow, command.version);
    const fromVersion = current.record.currentVersion;
    this.deps.events.emit("improvement.rolled_back", {
      workflow: command.workflow,
      fromVersion,
      toVersion: command.version,
      actorId: actor.id,
    });
    return { type: "workflow.rollback", workflow: command.workflow, fromVersion, toVersion: command.version };
  }

  private async propose(feedback: FeedbackRecord, execution: ExecutionRecord): Promise<ImproveResult> {
    const { catalog, chat } = this.deps;
    try {
      const [recorded, current, attempts] = await Promise.all([
        catalog.definition(execution.workflowName, execution.workflowVersion),
        catalog.current(execution.workflowName),
        this.deps.executions.attempts(execution.id),
      ]);
      const proposed = await proposeImprovement(
        {
          current: current.definition,
          feedback: feedback.text,
          attempts,
          actorId: feedback.actorId,
          executionId: execution.id,
          channel: feedback.channel,
        },
        { chat: chat as ChatModel, tools: this.deps.tools },
      );
      const replay = await replayProposal(
        proposed.definition,
        { definition: recorded, input: execution.input, attempts, executionId: execution.id },
        {
          tools: this.deps.tools,
          agents: this.deps.agents,
          clock: this.deps.clock,
          signal: new AbortController().signal,
        },
      );
      const proposal = await this.deps.proposals.create({
        at: this.deps.clock.now(),
        feedbackId: feedback.id,
        workflowName: execution.workflowName,
        baseVersion: current.record.currentVersion,
        definition: proposed.definition,
        diff: lineDiff(definitionYaml(current.definition), proposed.yaml),
        replay: { ...replay, summary: proposed.summary, executionId: execution.id },
      });
      await this.deps.feedback.setStatus(feedback.id, "proposed");
      this.deps.events.emit("improvement.proposed", {
        proposalId: proposal.id,
        workflow: proposal.workflowName,
        baseVersion: proposal.baseVersion,
        version: null,
        actorId: feedback.actorId,
      });
      return { type: "improve.proposal", proposal, summary: proposed.summary };
    } catch (caught) {
      const error = toBatonError(caught);
      this.deps.logger.warn("the improver could not propose a new version", { feedback: feedback.id, error });
      await this.deps.feedback.setStatus(feedback.id, "awaiting_review").catch(() => undefined);
      return { type: "improve.failed", feedback: { ...feedback, status: "awaiting_review" }, message: error.message };
    }
  }

  private async target(named: string | undefined, actor: Actor): Promise<ExecutionRecord | null> {
    if (named !== undefined) {
      const execution = await this.deps.executions.get(named);
      if (!execution) throw new BatonError("not_found", `There is no execution \`${named}\` to give feedback on.`);
      return execution;
    }
    const last = await this.deps.feedback.lastExecutionBy(userIdsOf(actor));
    return last ? this.deps.executions.get(last.id) : null;
  }

  private async open(id: number) {
    const proposal = await this.deps.proposals.get(id);
    if (!proposal) throw new BatonError("not_found", `There is no proposal \`${proposalId(id)}\`.`);
    if (proposal.status !== "proposed") throw decidedElsewhere(id, proposal.status);
    return proposal;
  }

  private async decide(id: number, status: "applied" | "discarded", version: number | null, actor: Actor) {
    const proposal = await this.deps.proposals.get(id);
    const decided = await this.deps.proposals.decide(id, {
      status,
      appliedVersion: version,
      by: actor.id,
      at: this.deps.clock.now(),
    });
    if (decided && proposal?.feedbackId) await this.deps.feedback.setStatus(proposal.feedbackId, status);
    return decided;
  }
}

function decidedElsewhere(id: number, status = "decided"): BatonError {
  return new BatonError("invalid_command", `Proposal \`${proposalId(id)}\` was already ${status}.`);
}
