import { WorkflowDefinition } from "./definition.js";

type Node = Record<string, unknown> | unknown[];

/** JSON with object keys sorted, so two definitions compare equal whatever order their keys came in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === "object";
}

/**
 * A definition as a person would write it: every field whose value is what the schema fills in when
 * it is left out (`required: false`, a retry's `delayMs: 1000`, `onError: fail`, an empty `inputs`)
 * is left out. Driven by the schema itself: a field goes when the definition without it parses to
 * the same thing, so a new default never needs listing here. Used wherever a definition is shown
 * as YAML (the /improve diff, the improver's prompt), so a diff shows only what someone changed.
 */
export function writtenForm(definition: WorkflowDefinition): unknown {
  const target = canonical(definition);
  const root = structuredClone(definition) as unknown as Record<string, unknown>;
  const same = () => {
    const parsed = WorkflowDefinition.safeParse(root);
    return parsed.success && canonical(parsed.data) === target;
  };
  const prune = (node: Node) => {
    const keys = Array.isArray(node) ? [] : Object.keys(node);
    for (const key of keys) {
      const record = node as Record<string, unknown>;
      const value = record[key];
      delete record[key];
      if (same()) continue;
      record[key] = value;
      if (isNode(value)) prune(value);
    }
    if (Array.isArray(node)) for (const item of node) if (isNode(item)) prune(item);
  };
  prune(root);
  return root;
}
