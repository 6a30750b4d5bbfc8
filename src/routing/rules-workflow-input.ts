import type { WorkflowHint, WorkflowInputHint } from "../commands/workflow-hint.js";
import { escapeRegExp, NOT_A_NAME, trimValue, urlsIn } from "./rules-text.js";

/**
 * A workflow's input from a sentence: explicit `key=value` pairs, then "name Ada" / "name: Ada" for
 * inputs the workflow declares, then one free value ("for Ada", "for https://…") that fills the
 * first required input when it is the only one still missing.
 */
export interface CollectedInput {
  input: Record<string, string>;
  /** Required inputs nobody gave a value for. */
  missing: string[];
}

const PAIR = /(?<=^|\s)([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))/g;
const VALUE_END = String.raw`(?=\s*(?:[,;]|\s(?:and|with|for|on|in|to|then|now)\s|$))`;
const FREE_VALUE = /\b(?:for|with|on|against)\s+(.+)$/i;
const FREE_VALUE_END = /\s(?:for|on|in|to|because|since|so that|and then|then|now|right now|asap|today|again)\b.*$/i;

export function collectInput(text: string, workflow: WorkflowHint): CollectedInput {
  const values = new Map<string, string>();
  let rest = takePairs(text, values);
  rest = takeNamedInputs(rest, workflow.inputs, values);
  const missing = workflow.inputs.filter((hint) => hint.required && !values.has(hint.name));
  const [only] = missing;
  const free =
    only && missing.length === 1
      ? (freeValue(afterName(rest, workflow.name), only) ?? urlsBefore(rest, only))
      : undefined;
  if (only && free !== undefined) values.set(only.name, free);
  return {
    input: Object.fromEntries(values),
    missing: missing.filter((hint) => !values.has(hint.name)).map((hint) => hint.name),
  };
}

function takePairs(text: string, values: Map<string, string>): string {
  return text.replace(PAIR, (_, key: string, double?: string, single?: string, bare?: string) => {
    values.set(key, double ?? single ?? trimValue(bare ?? ""));
    return " ";
  });
}

/** "name Ada", "name: Ada Lovelace", "urls is https://…" for the inputs the workflow declares. */
function takeNamedInputs(text: string, inputs: readonly WorkflowInputHint[], values: Map<string, string>): string {
  let rest = text;
  for (const hint of inputs) {
    if (values.has(hint.name)) continue;
    const pattern = new RegExp(
      String.raw`(?<=^|\s)${escapeRegExp(hint.name)}(?![\w-])(?:\s*[:=]|\s+is\b|\s+of\b)?\s*(?:"([^"]*)"|'([^']*)'|([^\s,;"'].*?))${VALUE_END}`,
      "i",
    );
    const match = pattern.exec(rest);
    const value = match && trimValue(match[1] ?? match[2] ?? match[3] ?? "");
    if (!match || !value) continue;
    values.set(hint.name, value);
    rest = rest.replace(match[0], " ");
  }
  return rest;
}

/** The free value is looked for after the workflow's name: "run hello for Ada", not "for once, run hello". */
function afterName(text: string, workflow: string): string {
  const at = new RegExp(String.raw`(?<![\w.-])${escapeRegExp(workflow)}(?![\w-])`, "i").exec(text);
  return at ? text.slice(at.index + at[0].length) : text;
}

/** "is https://a.example up? run a healthcheck": a URL input takes the URLs said before the name too. */
function urlsBefore(text: string, input: WorkflowInputHint): string | undefined {
  if (!/url|link|endpoint/i.test(input.name)) return undefined;
  const urls = urlsIn(text);
  return urls.length > 0 ? urls.join(",") : undefined;
}

function freeValue(text: string, input: WorkflowInputHint): string | undefined {
  const urls = urlsIn(text);
  if (urls.length > 0) return urls.join(",");
  if (/url|link|endpoint/i.test(input.name)) return undefined;
  const phrase = FREE_VALUE.exec(text)?.[1];
  if (phrase === undefined) return undefined;
  const value = trimValue(
    phrase
      .replace(FREE_VALUE_END, "")
      .replace(/^(?:the |user |person |@)+/i, "")
      .replace(/^<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>$/, "$1"),
  );
  return value === "" || NOT_A_NAME.has(value.toLowerCase()) ? undefined : value;
}
