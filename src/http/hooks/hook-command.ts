import type { CommandTemplate, TemplateValue } from "../../config-hooks.js";
import { parseTemplate, resolveTemplate, type TemplateInput } from "./template.js";

/** Why a templated value could not be filled: which field (a JSON pointer into the command) and what. */
export interface FillProblem {
  field: string;
  message: string;
}

/**
 * A hook's command with every `{{ … }}` filled from the request. A path the body does not have is
 * refused (400 naming the field), never filled with an empty string: a run with an empty input is
 * a quieter failure than a refusal the sender's delivery log shows.
 */
export function fillCommand(
  template: CommandTemplate,
  input: TemplateInput,
): { command: Record<string, unknown> } | { problem: FillProblem } {
  const filled = fillObject(template, input, "");
  return "problem" in filled ? filled : { command: filled.value };
}

/** One template string (the delivery id) filled, or why not. */
export function fillText(
  text: string,
  input: TemplateInput,
  field: string,
): { text: string } | { problem: FillProblem } {
  const parsed = parseTemplate(text);
  // The file was checked at start-up, so a parse error here is a bug; it is still a refusal, not a crash.
  if ("error" in parsed) return { problem: { field, message: parsed.error } };
  const resolved = resolveTemplate(parsed.parts, input);
  if ("text" in resolved) return resolved;
  const message =
    "missing" in resolved
      ? `{{ ${resolved.missing} }} is missing from the request`
      : `{{ ${resolved.notText} }} is not a string, number or boolean`;
  return { problem: { field, message } };
}

function fillObject(
  template: CommandTemplate,
  input: TemplateInput,
  at: string,
): { value: Record<string, unknown> } | { problem: FillProblem } {
  const value: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(template)) {
    const filled = fillValue(item, input, `${at}/${key}`);
    if ("problem" in filled) return filled;
    value[key] = filled.value;
  }
  return { value };
}

function fillValue(
  item: TemplateValue,
  input: TemplateInput,
  at: string,
): { value: unknown } | { problem: FillProblem } {
  if (typeof item === "number" || typeof item === "boolean") return { value: item };
  if (typeof item === "object") return fillObject(item, input, at);
  const filled = fillText(item, input, at);
  return "problem" in filled ? filled : { value: filled.text };
}
