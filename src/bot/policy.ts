import { accessOf, type Command } from "../orchestrator/commands.js";
import type { Actor } from "../orchestrator/context.js";

/**
 * Who may run what. Never delegated to an LLM (DESIGN.md step 3):
 * - read-only commands are open to everyone;
 * - state-changing commands are open to everyone unless BATON_ADMINS lists admins, then to them alone;
 * - destructive commands follow the same rule and always ask for confirmation first.
 */
export type PolicyDecision = { allowed: true; needsConfirmation: boolean } | { allowed: false; reason: string };

export class Policy {
  private readonly admins: ReadonlySet<string>;

  constructor(admins: readonly string[]) {
    this.admins = new Set(admins.map((entry) => entry.toLowerCase()));
  }

  /** Admin entries are `platform:userId` or a bare `userId` that matches on any platform. */
  isAdmin(actor: Actor): boolean {
    const id = actor.id.toLowerCase();
    return this.admins.has(`${actor.platform.toLowerCase()}:${id}`) || this.admins.has(id);
  }

  canChangeState(actor: Actor): boolean {
    return this.admins.size === 0 || this.isAdmin(actor);
  }

  decide(command: Command, actor: Actor): PolicyDecision {
    const access = accessOf(command);
    if (access === "read") return { allowed: true, needsConfirmation: false };
    if (!this.canChangeState(actor)) {
      return {
        allowed: false,
        reason: `Only baton admins may run \`${command.type}\`; ask one of them, or run a read-only command such as \`/orchestrate status\`.`,
      };
    }
    return { allowed: true, needsConfirmation: access === "destructive" };
  }
}
