import type { Clock } from "../../clock.js";
import type { AgentRecord, AgentRepository } from "../../db/repositories/agent-repository.js";
import { BatonError } from "../../errors.js";
import type { OrchestratorEventBus } from "../events.js";

/**
 * The agents held in memory: at most `capacity`, least recently used evicted first. An evicted
 * agent stays active in the database and is rebuilt from its stored config when next needed;
 * agents idle longer than `idleMs` are retired for good.
 */
export class AgentPool {
  /** Map order is use order: the first entry is the least recently used. */
  private readonly live = new Map<string, AgentRecord>();
  /** How many agents were rebuilt from their stored config (status, tests). */
  rebuilt = 0;

  constructor(
    private readonly repository: AgentRepository,
    private readonly events: OrchestratorEventBus,
    private readonly clock: Clock,
    private readonly options: { capacity: number; idleMs: number },
  ) {}

  async add(agent: AgentRecord): Promise<void> {
    await this.repository.create(agent);
    this.hold(agent);
    this.events.emit("agent.spawned", {
      agentId: agent.id,
      specialty: agent.specialty,
      actorId: agent.createdBy,
      channel: agent.channel,
      thread: agent.thread,
    });
  }

  /** The agent, from memory or rebuilt from the database; marks it used now. */
  async use(id: string): Promise<AgentRecord> {
    let agent = this.live.get(id);
    if (!agent) {
      const stored = await this.repository.get(id);
      if (stored?.status !== "active") {
        throw new BatonError("not_found", `There is no active agent \`${id}\`; \`/orchestrate agents\` lists them.`);
      }
      agent = stored as AgentRecord;
      this.rebuilt += 1;
    }
    const now = this.clock.now();
    agent = { ...agent, lastUsedAt: now };
    this.hold(agent);
    await this.repository.touch(id, now);
    return agent;
  }

  isLive(id: string): boolean {
    return this.live.has(id);
  }

  get size(): number {
    return this.live.size;
  }

  async retire(id: string, reason: "retired" | "idle"): Promise<AgentRecord> {
    const agent = this.live.get(id) ?? (await this.repository.get(id));
    if (!agent || !(await this.repository.retire(id, this.clock.now()))) {
      throw new BatonError("not_found", `There is no active agent \`${id}\`; \`/orchestrate agents\` lists them.`);
    }
    this.live.delete(id);
    this.events.emit("agent.retired", {
      agentId: id,
      specialty: agent.specialty,
      actorId: agent.createdBy,
      channel: agent.channel,
      thread: agent.thread,
      reason,
    });
    return agent;
  }

  /** Retires every agent unused for longer than the idle limit; returns their ids. */
  async retireIdle(): Promise<string[]> {
    const cutoff = new Date(this.clock.now().getTime() - this.options.idleMs);
    const idle = await this.repository.idleSince(cutoff);
    const retired: string[] = [];
    for (const agent of idle) {
      try {
        await this.retire(agent.id, "idle");
        retired.push(agent.id);
      } catch {
        // Retired by someone else in the meantime.
      }
    }
    return retired;
  }

  private hold(agent: AgentRecord): void {
    this.live.delete(agent.id);
    this.live.set(agent.id, agent);
    while (this.live.size > this.options.capacity) {
      const oldest = this.live.keys().next().value as string;
      this.live.delete(oldest);
    }
  }
}
