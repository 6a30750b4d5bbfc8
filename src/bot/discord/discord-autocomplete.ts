import { COMMAND_SPECS, COMMAND_TYPES, type CommandType } from "../../commands/commands.js";
import type { WorkflowHint } from "../../commands/workflow-hint.js";

/** Discord shows at most 25 choices, each name and value at most 100 characters. */
const MAX_CHOICES = 25;
const MAX_LENGTH = 100;

export interface Choice {
  name: string;
  value: string;
}

const clip = (text: string) => (text.length <= MAX_LENGTH ? text : `${text.slice(0, MAX_LENGTH - 1)}…`);

/** `run hello name=…`: a workflow's required inputs, to fill in. */
function runValue(workflow: WorkflowHint): string {
  const required = workflow.inputs.filter((input) => input.required).map((input) => `${input.name}=`);
  return [`run ${workflow.name}`, ...required].join(" ");
}

function choicesOf(type: CommandType, workflows: readonly WorkflowHint[]): Choice[] {
  const spec = COMMAND_SPECS[type];
  // `/improve` is its own slash command, not an `/orchestrate` request.
  if (spec.verbs.length === 0) return [];
  if (type === "workflow.run")
    return workflows.map((workflow) => ({
      name: clip(`${runValue(workflow)} — ${workflow.description ?? "run this workflow"}`),
      value: clip(runValue(workflow)),
    }));
  return [{ name: clip(`${spec.usage} — ${spec.summary}`), value: clip(spec.usage.split(" ")[0] ?? spec.usage) }];
}

/**
 * The `/orchestrate request` option's autocomplete (README "Discord"): the commands this person
 * may run here, matching what they typed so far — never one the policy would refuse.
 */
export function autocompleteChoices(
  permitted: ReadonlySet<CommandType>,
  workflows: readonly WorkflowHint[],
  typed: string,
): Choice[] {
  const wanted = typed.trim().toLowerCase();
  const all = COMMAND_TYPES.filter((type) => permitted.has(type)).flatMap((type) => choicesOf(type, workflows));
  // What starts with the typed text first, then what merely mentions it.
  const matching =
    wanted === ""
      ? all
      : [
          ...all.filter((choice) => choice.value.toLowerCase().startsWith(wanted)),
          ...all.filter((choice) => choice.name.toLowerCase().includes(wanted)),
        ];
  const seen = new Set<string>();
  return matching.filter((choice) => !seen.has(choice.value) && seen.add(choice.value)).slice(0, MAX_CHOICES);
}
