import type { Clock } from "../clock.js";
import { accessOf, type Command, type CommandType, confirmationQuestion } from "../commands/commands.js";
import type { Actor, Permission, RequestContext } from "../commands/context.js";
import type { WorkflowHint } from "../commands/workflow-hint.js";
import { BatonError, toBatonError } from "../errors.js";
import type { Logger } from "../logger.js";
import { redactSecrets, redactValue } from "../redact.js";
import { parseCommandText } from "../routing/grammar.js";
import { toGrammar } from "../routing/rules-grammar.js";
import type { CommandRouter } from "../routing/types.js";
import { ChatSecretGuard } from "../secrets/chat-guard.js";
import { secretInChatMessage } from "../secrets/chat-secrets.js";
import type { ChatRequest, Conversation } from "./chat.js";
import { DEFAULT_MAX_INPUT_CHARS, textForAudit } from "./input-limit.js";
import type { AccessPolicy, AuditLog, CommandRunner, ConversationLookup, FollowUps } from "./ports.js";
import { followExecution } from "./progress.js";
import { renderResult } from "./render.js";
import { renderPatternOffer } from "./render-improve.js";
import { errorReply, type Reply } from "./reply.js";
import { type DispatchOutcome, llmTotals, RequestState, unauditedOutcome } from "./request-state.js";
import { type Resolution, type ResolveRequest, Resolver } from "./resolve.js";

export interface DispatcherDeps {
  commands: CommandRunner;
  audit: AuditLog & ConversationLookup;
  followUps: FollowUps;
  router: CommandRouter;
  /** Who may run what, where (README "Permissions"); decided here, never by the router. */
  access: AccessPolicy;
  clock: Clock;
  logger: Logger;
  /** Time zone for timestamps in replies (TZ). */
  timeZone: string;
  /** Earlier turns of the conversation the LLM router sees (LLM_THREAD_TURNS). */
  threadTurns?: number;
  /** Minimum time between progress edits of one message (Slack allows about one per second). */
  progressIntervalMs?: number;
  /** The longest message baton reads (BATON_MAX_INPUT_CHARS); longer ones are refused and audited `invalid`. */
  maxInputChars?: number;
}

/**
 * DESIGN.md's seven steps for one request: parse → route → policy → confirm → execute → audit →
 * render. Whatever happens, the request gets one audit row and one reply.
 */
export class Dispatcher {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly observers: Array<(settled: SettledRequest) => void> = [];

  private readonly resolver: Resolver;

  private readonly secrets: ChatSecretGuard;
  private readonly maxInputChars: number;

  constructor(private readonly deps: DispatcherDeps) {
    this.maxInputChars = deps.maxInputChars ?? DEFAULT_MAX_INPUT_CHARS;
    this.resolver = new Resolver({
      router: deps.router,
      commands: deps.commands,
      conversations: deps.audit,
      threadTurns: deps.threadTurns ?? 10,
      clock: deps.clock,
      maxInputChars: this.maxInputChars,
    });
    this.secrets = new ChatSecretGuard(() => deps.commands.workflowHints());
  }

  dispatch(request: ChatRequest, conversation: Conversation): Promise<DispatchOutcome> {
    const work = this.run(request, conversation);
    const tracked = work.then((o) => o.settled).catch(() => undefined);
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return work;
  }

  /** Calls `observer` once for every request whose audit row is closed (metrics); returns how to stop. */
  observe(observer: (settled: SettledRequest) => void): () => void {
    this.observers.push(observer);
    return () => {
      const at = this.observers.indexOf(observer);
      if (at >= 0) this.observers.splice(at, 1);
    };
  }

  /** Waits for in-flight requests (including their progress updates) to settle. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /**
   * What this person may run here, and the workflows there are: for a platform's own command
   * pickers (Discord's autocomplete), which offer nothing the policy would refuse. Runs nothing.
   */
  async runnableHere(
    actor: Actor,
    channel: string | null,
  ): Promise<{ permitted: Set<CommandType>; workflows: WorkflowHint[] }> {
    const who = await this.deps.access.identify(actor);
    const permitted = await this.deps.access.permitted(who, { channel });
    return { permitted, workflows: this.deps.commands.workflowHints() };
  }

  /** Resolves text to a Command without running anything (`baton route`). */
  resolve(text: string, request: ResolveRequest): Promise<Resolution> {
    return this.resolver.resolve(text, request);
  }

  /**
   * A platform payload baton could not read (a signed Slack body without a channel, a Discord
   * interaction without a user…): nothing runs, but it gets its audit row, outcome `invalid`,
   * with `code` naming what was wrong. Never throws.
   */
  async recordInvalid(request: ChatRequest, problem: { code: string; message: string }): Promise<void> {
    const opened = await this.openAudit(request);
    if (opened === "duplicate") return;
    if ("error" in opened) {
      this.deps.logger.error("could not record an invalid request", { code: problem.code, error: opened.error });
      return;
    }
    const state = new RequestState(opened.id);
    state.answer(errorReply(problem.message), "invalid", problem.code, problem.message);
    await this.closeAudit(state, 0, request.platform);
  }

  private async run(request: ChatRequest, conversation: Conversation): Promise<DispatchOutcome> {
    const started = performance.now();
    const opened = await this.openAudit(request);
    if (opened === "duplicate") {
      return unauditedOutcome(errorReply("This request was already received; it runs once."), "ok", true);
    }
    if ("error" in opened) return this.unrecorded(request, conversation, opened.error);
    const state = new RequestState(opened.id);
    try {
      await this.process(request, conversation, state);
    } catch (caught) {
      state.fail(toBatonError(caught), this.deps.logger);
      await this.postSafely(conversation, state.reply, request);
    } finally {
      await this.closeAudit(state, performance.now() - started, request.platform);
    }
    return state.toOutcome();
  }

  /** One sentence: the request was not stored or run, and how to add the secret to baton instead. */
  private async refuseSecrets(names: string[], conversation: Conversation, state: RequestState): Promise<void> {
    const message = secretInChatMessage(names);
    state.answer(errorReply(message), "invalid", "secret_in_chat", message);
    await conversation.post(state.reply);
  }

  private async openAudit(request: ChatRequest): Promise<{ id: number } | "duplicate" | { error: BatonError }> {
    try {
      return await this.deps.audit.open({
        at: request.receivedAt,
        platform: request.platform,
        workspace: request.workspace,
        channel: request.channel,
        thread: request.thread,
        actorId: request.actor.id,
        actorName: request.actor.name,
        text: this.secrets.auditText(textForAudit(request.text, this.maxInputChars)),
        dedupeKey: request.dedupeKey,
      });
    } catch (error) {
      return { error: toBatonError(error) };
    }
  }

  /**
   * A request baton could not record is not run (nothing may happen that the audit log does not
   * show), but the person still gets an answer and the request goes to the error log.
   */
  private async unrecorded(
    request: ChatRequest,
    conversation: Conversation,
    error: BatonError,
  ): Promise<DispatchOutcome> {
    this.deps.logger.error("request not recorded, so not run", {
      platform: request.platform,
      channel: request.channel,
      actor: request.actor.id,
      text: this.secrets.auditText(textForAudit(request.text, this.maxInputChars)),
      code: error.code,
      error: error.cause ?? error,
    });
    const reply = errorReply(
      `baton could not record this request, so it did not run it; try again shortly. (${error.message})`,
    );
    await this.postSafely(conversation, reply, request);
    return unauditedOutcome(reply, "error", false);
  }

  private async process(request: ChatRequest, conversation: Conversation, state: RequestState): Promise<void> {
    // A secret in the text never reaches the grammar's echo or an LLM router, and nothing runs with it.
    const inText = this.secrets.inText(request.text);
    if (inText.length > 0) {
      // The grammar needs no LLM: a typed command is still recorded, with its secrets replaced.
      const parsed = parseCommandText(request.text);
      const named = parsed.kind === "command" ? this.secrets.inCommand(parsed.command) : [];
      if (parsed.kind === "command") state.command = this.secrets.withoutSecrets(parsed.command);
      return this.refuseSecrets(named.length > 0 ? named : inText, conversation, state);
    }
    // Who is asking decides what the router may offer them: it never sees a tool they may not use.
    const who = await this.deps.access.identify(request.actor);
    const place = { channel: request.channel };
    const permitted = await this.deps.access.permitted(who, place);
    const resolution: Resolution = request.command
      ? { kind: "command", command: request.command, resolvedBy: "typed", confidence: 1 }
      : await this.resolver.resolve(request.text, { ...request, actor: who.actor, auditId: state.auditId, permitted });
    state.resolvedBy = resolution.resolvedBy;
    state.confidence = resolution.confidence;
    state.usage = resolution.usage ?? null;
    if (resolution.kind === "answer") {
      if (resolution.pending) state.command = resolution.pending;
      state.answer(resolution.reply, "invalid", resolution.code, resolution.message);
      await conversation.post(state.reply);
      return;
    }
    const { command } = resolution;
    state.command = command;
    // A secret typed into chat is refused before anything runs with it; the row keeps it redacted.
    const typed = this.secrets.inCommand(command);
    if (typed.length > 0) {
      state.command = this.secrets.withoutSecrets(command);
      return this.refuseSecrets(typed, conversation, state);
    }
    const decision = await this.deps.access.decide(command, who, place);
    if (!decision.allowed) throw new BatonError("denied", await this.deps.access.refusal(command, decision));
    const permission: Permission = { permitted, ownRunsOnly: decision.ownRunsOnly, roles: decision.roles };
    // A router may ask for confirmation too (a model's answer to steering text), never skip it.
    let target = command;
    if (needsConfirmation(command) || resolution.confirm === true) {
      // The question names the whole id when a unique prefix was typed.
      target = await this.deps.commands.preflight(command, who.actor.platform);
      const confirmed = await conversation.confirm({
        question: confirmationQuestion(target, toGrammar(target)),
        commandType: target.type,
      });
      if (!confirmed) throw new BatonError("confirmation_declined", "Not confirmed, so nothing was changed.");
    }
    await this.execute(target, { ...request, actor: who.actor }, permission, conversation, state);
  }

  private async execute(
    command: Command,
    request: ChatRequest,
    permission: Permission,
    conversation: Conversation,
    state: RequestState,
  ): Promise<void> {
    const context: RequestContext = {
      actor: request.actor,
      origin: {
        platform: request.platform,
        workspace: request.workspace,
        channel: request.channel,
        thread: request.thread,
      },
      permission,
      auditId: state.auditId,
    };
    const result = await this.deps.commands.handle(command, context);
    state.result = result;
    state.reply = renderResult(result, { now: this.deps.clock.now(), timeZone: this.deps.timeZone });
    if ("execution" in result) state.executionId = result.execution.id;
    const message = await this.postResult(conversation, state, request);
    // A run that starts (or resumes after an approval) keeps its message up to date until it stops.
    const follows =
      result.type === "workflow.run" || result.type === "execution.approve" || result.type === "execution.reject";
    if (message && follows) {
      state.settled = followExecution({
        followUps: this.deps.followUps,
        conversation,
        message,
        executionId: result.execution.id,
        clock: this.deps.clock,
        timeZone: this.deps.timeZone,
        logger: this.deps.logger,
        intervalMs: this.deps.progressIntervalMs ?? 1000,
      }).then((final) => ({
        reply: final.reply,
        result: { ...result, execution: final.detail.execution, detail: final.detail },
      }));
    }
    // The third same-shaped run in a week: once it settles, offer to schedule it or save its inputs.
    const offer = this.deps.followUps.patternOfferFor(
      result.type === "workflow.run" ? result.execution.id : `audit:${state.auditId}`,
    );
    if (offer) {
      const before = state.settled ?? Promise.resolve({ reply: state.reply, result });
      state.settled = before.then(async (settled) => {
        const found = await offer;
        if (!found) return settled;
        await conversation.post(renderPatternOffer(found)).catch((error: unknown) => {
          this.deps.logger.error("could not post a pattern offer", { platform: request.platform, error });
        });
        return settled;
      });
    }
    // `/improve` was acknowledged at once; the improver's proposal (diff and replay) replaces the ack.
    const proposal =
      message && result.type === "improve" ? this.deps.followUps.improvementFor(result.feedback.id) : null;
    if (message && proposal) {
      state.settled = proposal.then(async (next) => {
        const reply = renderResult(next, { now: this.deps.clock.now(), timeZone: this.deps.timeZone });
        await conversation.update(message, reply).catch((error: unknown) => {
          this.deps.logger.error("could not post an improvement proposal", { platform: request.platform, error });
        });
        return { reply, result: next };
      });
    }
  }

  /** The command ran: a reply that cannot be posted is recorded beside its outcome, not instead of it. */
  private async postResult(conversation: Conversation, state: RequestState, request: ChatRequest) {
    try {
      const posted = await conversation.post(state.reply);
      if (state.reply.aside) await this.postSafely(conversation, state.reply.aside, request);
      return posted;
    } catch (error) {
      const failure = toBatonError(error);
      this.deps.logger.error("could not post a reply", { platform: request.platform, channel: request.channel, error });
      state.errorCode = "reply_failed";
      state.errorMessage = `The command ran but its reply could not be posted: ${failure.message}`;
      return null;
    }
  }

  private async postSafely(conversation: Conversation, reply: Reply, request: ChatRequest): Promise<void> {
    try {
      await conversation.post(reply);
    } catch (error) {
      this.deps.logger.error("could not post a reply", { platform: request.platform, channel: request.channel, error });
    }
  }

  private async closeAudit(state: RequestState, durationMs: number, platform: string): Promise<void> {
    for (const observer of this.observers) {
      try {
        observer({ platform, commandType: state.command?.type ?? null, outcome: state.outcome, durationMs });
      } catch (error) {
        this.deps.logger.error("a request observer failed", { error });
      }
    }
    try {
      await this.deps.audit.close(state.auditId, {
        finishedAt: this.deps.clock.now(),
        command: state.command ? redactValue(state.command) : null,
        commandType: state.command?.type ?? null,
        resolvedBy: state.resolvedBy,
        confidence: state.confidence,
        outcome: state.outcome,
        errorCode: state.errorCode,
        errorMessage: state.errorMessage === null ? null : redactSecrets(state.errorMessage),
        durationMs,
        executionId: state.executionId,
        llm: state.usage && state.usage.totals.calls > 0 ? llmTotals(state.usage) : null,
      });
    } catch (error) {
      this.deps.logger.error("could not write the audit row", { auditId: state.auditId, error });
    }
  }
}

/** What an observer of settled requests learns (metrics): never the text or the person. */
export interface SettledRequest {
  platform: string;
  commandType: CommandType | null;
  outcome: DispatchOutcome["outcome"];
  durationMs: number;
}

/** Destructive commands wait for a button, whoever asks. */
function needsConfirmation(command: Command): boolean {
  return accessOf(command) === "destructive";
}
