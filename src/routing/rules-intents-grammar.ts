import { parseCommandText } from "./grammar.js";
import { type IntentRule, SURE } from "./rules-types.js";

/** Words that point at something said before ("cancel it"): the conversation decides, not the grammar. */
const PRONOUN = /^(?:it|that|this|them|those|these|last|latest|previous|mine|everything|all|one)$/i;

/** The ids and names a parsed command carries, to see none is a pronoun. */
function targets(command: Record<string, unknown>): string[] {
  return ["execution", "workflow", "agent", "schedule", "specialty"].flatMap((key) => {
    const value = command[key];
    return typeof value === "string" ? [value] : [];
  });
}

/**
 * One grammar everywhere (README "Talking to baton"): a mention, a DM or the console accepts what
 * `/orchestrate` accepts, without the prefix (`run hello name=Ada`, `workflow list`). Only a clean
 * parse counts; anything the grammar would refuse is left to the other rules.
 */
export const bareGrammar: IntentRule = (u, context) => {
  // Greetings and filler leave nothing: that is not a request for help.
  if (u.text === "" || u.text.startsWith("/")) return null;
  const parsed = parseCommandText(`/orchestrate ${u.text}`);
  if (parsed.kind !== "command") return null;
  const command = parsed.command;
  if (FREE_TEXT.has(command.type)) return null;
  if (targets(command as unknown as Record<string, unknown>).some((target) => PRONOUN.test(target))) return null;
  if (command.type === "workflow.run" || command.type === "workflow.show") {
    // A bare word read as a workflow must be one: "show runs" is not a workflow called runs.
    const workflow = context.workflows.find((hint) => hint.name.toLowerCase() === command.workflow.toLowerCase());
    if (workflow === undefined) return null;
    // A run without its required inputs is not yet a command: baton asks for them.
    if (command.type === "workflow.run") {
      const missing = workflow.inputs.filter((i) => i.required && !Object.hasOwn(command.input, i.name));
      if (missing.length > 0)
        return { type: command.type, confidence: SURE, needs: { workflow, input: command.input, missing } };
    }
  }
  return { type: command.type, confidence: SURE, command };
};

/** Where the rest of the sentence is the point (a question, a note): the intent rules read it. */
const FREE_TEXT: ReadonlySet<string> = new Set(["ask", "agent.spawn", "execution.approve", "execution.reject"]);
