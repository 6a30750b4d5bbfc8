import type { CommandType } from "./command-schemas.js";

/**
 * The command types whose handlers can call an LLM, directly or by starting work that does:
 * `ask` (an agent answers), `agent.spawn` (an agent others then ask), `improve` (the improver
 * drafts a proposal), `workflow.run` and `execution.approve` (agent steps run), `orchestrator.step`
 * (retries and resumes runs). help, status, history and the list/show commands never do. They are
 * the access class `spend`: spending is not reading.
 */
export const SPENDS_LLM: ReadonlySet<CommandType> = new Set<CommandType>([
  "ask",
  "agent.spawn",
  "improve",
  "workflow.run",
  "execution.approve",
  "orchestrator.step",
]);
