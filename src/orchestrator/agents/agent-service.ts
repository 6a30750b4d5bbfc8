import type { Clock } from "../../clock.js";
import { type RequestContext, userIdsOf } from "../../commands/context.js";
import type { AgentRecord } from "../../db/repositories/agent-repository.js";
import type { ExecutionRepository } from "../../db/repositories/execution-repository.js";
import type { RunRouteRepository } from "../../db/repositories/run-route-repository.js";
import { BatonError } from "../../errors.js";
import type { ChatModel } from "../../llm/chat-model.js";
import type { Logger } from "../../logger.js";
import type { AgentAnswer, AgentRequest, AgentRunner } from "../agents.js";
import { newId } from "../ids.js";
import type { AgentPool } from "./pool.js";
import type { QueryToolDeps } from "./query-tools.js";
import { composePrompt, pickSpecialty, type Specialties, type Specialty } from "./specialties.js";
import { type LoopAnswer, runToolLoop } from "./tool-loop.js";

export interface AgentServiceDeps {
  specialties: Specialties;
  pool: AgentPool;
  /** Null without an LLM provider: agents can be spawned and listed, not asked. */
  chat: ChatModel | null;
  queries: QueryToolDeps & { executions: ExecutionRepository };
  /** Finds the active agent of a specialty in a thread, so a follow-up `ask` there reuses it. */
  inThread?: (where: { specialty: string; channel: string | null; thread: string }) => Promise<string | null>;
  clock: Clock;
  logger: Logger;
  maxTurns: number;
  /** Called before an agent is spawned (budgets: max agents); throws to refuse. */
  beforeSpawn?: (owner: {
    actorId: string | null;
    actorIds?: readonly string[];
    channel: string | null;
  }) => Promise<void>;
  /** Keeps a run's cheaper-model decision with the run, so it outlives this process. */
  routes?: Pick<RunRouteRepository, "choose" | "get">;
}

/** Who an agent works for and where; `goal` is what it is for. */
export interface AgentContext {
  actorId: string | null;
  /** The ids of every account linked to the asker, for their user budgets. */
  actorIds?: readonly string[];
  actorName: string;
  channel: string | null;
  thread: string | null;
  goal: string;
  executionId?: string | null;
}

/** Spawns specialist agents, answers questions through them, and runs workflow `agent` steps. */
export class AgentService implements AgentRunner {
  /** Workflow agent steps reuse one agent per execution and specialty. */
  private readonly stepAgents = new Map<string, string>();
  /** Runs told to continue on a cheaper model: their calls go to that provider alone. */
  private readonly routeOverrides = new Map<string, string>();

  constructor(private readonly deps: AgentServiceDeps) {}

  get specialties(): Specialties {
    return this.deps.specialties;
  }

  async spawn(specialtyName: string, context: AgentContext): Promise<AgentRecord> {
    // An agent without a model could never answer: say what to configure instead of creating one.
    this.requireChat();
    return this.spawnFrom(pickSpecialty(this.deps.specialties, context.goal, specialtyName), context);
  }

  /** `ask`: picks the specialty (named, else by keywords, else the default) and answers. */
  async ask(
    question: string,
    specialtyName: string | undefined,
    request: RequestContext,
  ): Promise<{ agent: AgentRecord; answer: LoopAnswer }> {
    const chat = this.requireChat();
    const specialty = pickSpecialty(this.deps.specialties, question, specialtyName);
    const agent =
      (await this.reuseInThread(specialty.name, request)) ??
      (await this.spawnFrom(specialty, contextOf(request, question)));
    const answer = await runToolLoop(agent, question, {
      chat,
      queries: this.deps.queries,
      call: {
        purpose: "agent",
        auditId: request.auditId ?? null,
        actorId: request.actor.id,
        actorIds: userIdsOf(request.actor),
        channel: request.origin.channel,
      },
    });
    return { agent, answer };
  }

  /** The thread's agent of this specialty, from memory or rebuilt from its row; null when there is none. */
  private async reuseInThread(specialty: string, request: RequestContext): Promise<AgentRecord | null> {
    const { thread, channel } = request.origin;
    if (thread === null || !this.deps.inThread) return null;
    const id = await this.deps.inThread({ specialty, channel, thread });
    return id ? this.stillActive(id) : null;
  }

  /**
   * The agent `id` if it can still work, or null so the caller spawns a new one: an agent that ended
   * is expected (info), anything else (the database failing, say) is worth a warning.
   */
  private async stillActive(id: string): Promise<AgentRecord | null> {
    try {
      return await this.deps.pool.use(id);
    } catch (error) {
      const ended = error instanceof BatonError && error.code === "not_found";
      this.deps.logger[ended ? "info" : "warn"]("an agent could not be reused; a new one is spawned", {
        agent: id,
        error,
      });
      return null;
    }
  }

  /** A workflow `agent` step: the execution's agent of that specialty answers the step's prompt. */
  async answer(request: AgentRequest): Promise<AgentAnswer> {
    const chat = this.requireChat();
    const execution = await this.deps.queries.executions.get(request.executionId);
    const key = `${request.executionId}:${request.specialty}`;
    const known = this.stepAgents.get(key);
    const agent = known ? await this.stillActive(known) : null;
    const working =
      agent ??
      (await this.spawnFrom(this.stepSpecialty(request.specialty), {
        actorId: execution?.requestedBy ?? null,
        actorName: execution?.requestedByName ?? execution?.requestedBy ?? "a workflow",
        channel: execution?.channel ?? null,
        thread: execution?.thread ?? null,
        goal: `a step of the ${execution?.workflowName ?? "workflow"} run ${request.executionId}`,
        executionId: request.executionId,
      }));
    this.stepAgents.set(key, working.id);
    const answer = await runToolLoop(working, request.prompt, {
      chat,
      queries: this.deps.queries,
      signal: request.signal,
      call: {
        purpose: "agent",
        auditId: null,
        actorId: execution?.requestedBy ?? null,
        executionId: request.executionId,
        channel: execution?.channel ?? null,
        workflow: execution?.workflowName ?? null,
        ...(await this.overrideFor(request.executionId)),
      },
    });
    return { text: answer.text, provider: answer.provider, model: answer.model };
  }

  /**
   * Sends the rest of a run's agent calls to the cheapest configured provider (by its price for
   * the same estimate), stored with the run so a process resuming it after a restart does too;
   * returns its name, or null when there is no cheaper one than the chain's first.
   */
  async useCheaperModel(
    executionId: string,
    costOf: (model: string) => number,
    decidedBy: string | null = null,
  ): Promise<string | null> {
    const providers = this.deps.chat?.candidates([]) ?? [];
    const [first] = providers;
    const cheapest = [...providers].sort((a, b) => costOf(a.model) - costOf(b.model))[0];
    if (!first || !cheapest || costOf(cheapest.model) >= costOf(first.model)) return null;
    const decidedAt = this.deps.clock.now();
    await this.deps.routes?.choose({
      executionId,
      provider: cheapest.name,
      model: cheapest.model,
      decidedBy,
      decidedAt,
    });
    this.routeOverrides.set(executionId, cheapest.name);
    return `${cheapest.name} (${cheapest.model})`;
  }

  /** The run's stored route (remembered here once read); none for a run nobody redirected. */
  private async overrideFor(executionId: string): Promise<{ route?: string[]; exclusive?: boolean }> {
    let provider = this.routeOverrides.get(executionId);
    if (provider === undefined && this.deps.routes) {
      provider = (await this.deps.routes.get(executionId))?.provider;
      if (provider !== undefined) this.routeOverrides.set(executionId, provider);
    }
    return provider ? { route: [provider], exclusive: true } : {};
  }

  /** A step may name a specialty no file defines: it gets a plain one of that name. */
  private stepSpecialty(name: string): Specialty {
    const known = this.deps.specialties.all.get(name);
    if (known) return known;
    return {
      name,
      purpose: `the ${name} role in a workflow`,
      prompt:
        "You are baton's {{ specialty }} specialist, working inside a team's chat-ops workflow. Answer the request directly and concisely in plain text.",
      temperature: 0,
      tools: [],
      route: [],
      keywords: [],
    };
  }

  private async spawnFrom(specialty: Specialty, context: AgentContext): Promise<AgentRecord> {
    await this.deps.beforeSpawn?.({
      actorId: context.actorId,
      ...(context.actorIds && { actorIds: context.actorIds }),
      channel: context.channel,
    });
    const now = this.deps.clock.now();
    const agent: AgentRecord = {
      id: newId(specialty.name),
      specialty: specialty.name,
      status: "active",
      config: {
        systemPrompt: composePrompt(specialty, {
          askedBy: context.actorName,
          channel: context.channel,
          thread: context.thread,
          goal: context.goal,
        }),
        temperature: specialty.temperature,
        tools: [...specialty.tools],
        route: [...specialty.route],
        goal: context.goal,
        maxTurns: this.deps.maxTurns,
        executionId: context.executionId ?? null,
      },
      createdBy: context.actorId,
      channel: context.channel,
      thread: context.thread,
      createdAt: now,
      lastUsedAt: now,
      retiredAt: null,
    };
    await this.deps.pool.add(agent);
    return agent;
  }

  private requireChat(): ChatModel {
    if (this.deps.chat) return this.deps.chat;
    throw new BatonError(
      "agent_unavailable",
      "Agents need an LLM provider: set ANTHROPIC_API_KEY, OPENAI_API_KEY or OPENAI_BASE_URL and restart baton.",
    );
  }
}

export function contextOf(request: RequestContext, goal: string): AgentContext {
  return {
    actorId: request.actor.id,
    actorIds: userIdsOf(request.actor),
    actorName: request.actor.name,
    channel: request.origin.channel,
    thread: request.origin.thread,
    goal,
  };
}
