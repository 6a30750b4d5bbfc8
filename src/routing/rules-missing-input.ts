import { Command, type CommandOf } from "../commands/commands.js";
import type { WorkflowHint, WorkflowInputHint } from "../commands/workflow-hint.js";
import { tokenize } from "./tokenize.js";
import type { RouteResult, ThreadTurn } from "./types.js";

/** A run recognised without all its required inputs: what the question asks for. */
export interface NeedsInput {
  workflow: WorkflowHint;
  input: Record<string, string>;
  missing: WorkflowInputHint[];
}

const NEVER_MIND = /^(?:no|nope|nah|cancel|stop|never ?mind|forget it|don'?t|not now)[.!]*$/i;

function described(hint: WorkflowInputHint): string {
  return hint.description ? `\`${hint.name}\` (${hint.description.replace(/\.$/, "")})` : `\`${hint.name}\``;
}

/** One question in the thread: which inputs are missing, what they are, and how to answer. */
export function askForInput(needs: NeedsInput): RouteResult {
  const { workflow, input, missing } = needs;
  const [only] = missing;
  const list = missing.map(described);
  const what = list.length === 1 ? list[0] : `${list.slice(0, -1).join(", ")} and ${list.at(-1)}`;
  const how =
    missing.length === 1 && only
      ? `What should \`${only.name}\` be? Reply with just the value.`
      : `Reply with ${missing.map((hint) => `${hint.name}=…`).join(" ")}.`;
  return {
    kind: "clarify",
    question: `To run ${workflow.name} I need ${what}. ${how}`,
    resolvedBy: "rules",
    pending: { type: "workflow.run", workflow: workflow.name, input },
  };
}

/** The run the last question in this conversation was about, if it is still waiting for inputs. */
function pendingRun(turns: readonly ThreadTurn[]): CommandOf<"workflow.run"> | null {
  const last = turns.at(-1);
  if (last?.question == null) return null;
  const parsed = Command.safeParse(last.command);
  return parsed.success && parsed.data.type === "workflow.run" ? parsed.data : null;
}

/**
 * The answer to "What should `name` be?": `key=value` pairs, or — when one input is missing —
 * the whole reply as its value. Null when the conversation holds no such question.
 */
export function answerPending(
  text: string,
  turns: readonly ThreadTurn[],
  workflows: readonly WorkflowHint[],
): RouteResult | null {
  const pending = pendingRun(turns);
  const workflow = pending && workflows.find((hint) => hint.name === pending.workflow);
  if (!pending || !workflow) return null;
  const answer = text.trim();
  if (NEVER_MIND.test(answer))
    return {
      kind: "suggest",
      message: `OK, I won't run ${workflow.name}.`,
      suggestions: [],
      confidence: 0,
      resolvedBy: "rules",
    };
  const missing = () => workflow.inputs.filter((hint) => hint.required && !Object.hasOwn(input, hint.name));
  const input = { ...pending.input };
  const lexed = tokenize(answer);
  const pairs = lexed.ok ? lexed.tokens.flatMap((token) => (token.kind === "pair" ? [token] : [])) : [];
  const known = new Set(workflow.inputs.map((hint) => hint.name));
  if (pairs.length > 0 && pairs.every((pair) => known.has(pair.key))) {
    for (const pair of pairs) input[pair.key] = pair.value;
  } else {
    const [only, ...others] = missing();
    if (!only || others.length > 0 || answer === "") return null;
    input[only.name] = answer.replace(/^(["'])(.*)\1$/s, "$2");
  }
  const still = missing();
  if (still.length > 0) return askForInput({ workflow, input, missing: still });
  return {
    kind: "command",
    command: { type: "workflow.run", workflow: workflow.name, input },
    confidence: 0.9,
    resolvedBy: "rules",
  };
}
