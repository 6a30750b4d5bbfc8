import { accessOf, type Command, type CommandType } from "../commands/commands.js";
import type { Actor } from "../commands/context.js";

/**
 * Who may run what. Never delegated to an LLM (DESIGN.md step 3):
 * - read-only commands are open to everyone;
 * - state-changing commands are open to everyone unless BATON_ADMINS lists admins, then to them alone;
 * - destructive commands follow the same rule and always ask for confirmation first.
 * Spending is not reading: a command that can call an LLM (SPENDS_LLM) is state-changing whatever
 * the command table says, so a user who may not spawn agents cannot spend through `ask` either.
 */
export type PolicyDecision = { allowed: true; needsConfirmation: boolean } | { allowed: false; reason: string };

/**
 * The command types whose handlers can call an LLM, directly or by starting work that does:
 * `ask` (an agent answers), `agent.spawn` (an agent others then ask), `improve` (the improver
 * drafts a proposal), `workflow.run` and `execution.approve` (agent steps run), `orchestrator.step`
 * (retries and resumes runs). help, status, history and the list/show commands never do.
 */
export const SPENDS_LLM: ReadonlySet<CommandType> = new Set<CommandType>([
  "ask",
  "agent.spawn",
  "improve",
  "workflow.run",
  "execution.approve",
  "orchestrator.step",
]);

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
    if (access === "read" && !SPENDS_LLM.has(command.type)) return { allowed: true, needsConfirmation: false };
    if (!this.canChangeState(actor)) return { allowed: false, reason: refusal(command.type) };
    return { allowed: true, needsConfirmation: access === "destructive" };
  }
}

function refusal(type: CommandType): string {
  const why = SPENDS_LLM.has(type) ? ` (it spends LLM budget)` : "";
  return `Only baton admins may run \`${type}\`${why}; ask one of them, or run a read-only command such as \`/orchestrate status\`.`;
}
