import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { BatonError } from "../../errors.js";
import { literalSecretProblem } from "../../secrets/literal-secrets.js";
import { SECRET_NAME } from "../../secrets/secret-names.js";
import { validationMessage } from "../tools/registry.js";
import { expressionPaths, parseExpression } from "./expression.js";
import { templatePaths } from "./template.js";

/**
 * Workflow definitions: YAML files validated by zod. A step is a union of step kinds (tool,
 * approval, parallel, loop; see step-schemas.ts), each with a `kind` read from its key before
 * validation; the engine switches on `step.kind`. Problems name the file, the step and the field.
 */

import { emptyIfNull, IDENTIFIER, Identifier, stepsWithPaths, type ToolStep, WorkflowStep } from "./step-schemas.js";

export {
  AgentStep,
  ApprovalRequest,
  ApprovalStep,
  LoopStep,
  ParallelStep,
  ToolStep,
  WorkflowStep,
} from "./step-schemas.js";

export const WorkflowInput = z.preprocess(
  emptyIfNull,
  z
    .strictObject({
      description: z.string().max(500).optional(),
      required: z.boolean().default(false),
      default: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(),
      /** A secret input is never typed into chat, stored or shown (the workflow uses `{{ secrets.NAME }}`). */
      secret: z.boolean().optional(),
    })
    .refine((input) => !(input.required && input.default !== undefined), {
      error: "an input with a `default` cannot also be `required`",
    })
    .refine((input) => !(input.secret && input.default !== undefined), {
      error: "a `secret` input cannot have a `default`; put the value in a baton secret and use `{{ secrets.NAME }}`",
    }),
);
export type WorkflowInput = z.infer<typeof WorkflowInput>;

/** A channel by id (`C0OPS`, `<#C0OPS|ops>`, a Discord channel id), never by its name, which anyone can reuse. */
const ChannelId = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((text) => !/^#[^<>]/.test(text), {
    error: "name the channel by its id (C0123…, or <#C0123|name> as Slack writes it), not by #name",
  });

/**
 * Who may run this workflow, and where (README "Permissions"): narrows what grants allow, for
 * everyone but admins. `run` entries are written as approvers are (`slack:U1`, `role:NAME`,
 * `group:ID`); `channels` are channel ids.
 */
export const WorkflowAccess = z.strictObject({
  run: z.array(z.string().trim().min(1).max(200)).min(1).max(100).optional(),
  channels: z.array(ChannelId).min(1).max(100).optional(),
});
export type WorkflowAccess = z.infer<typeof WorkflowAccess>;

export const WorkflowDefinition = z
  .strictObject({
    name: Identifier,
    description: z.string().max(1000).optional(),
    access: WorkflowAccess.optional(),
    inputs: z.preprocess(emptyIfNull, z.record(Identifier, WorkflowInput)),
    steps: z.array(WorkflowStep).min(1).max(100),
  })
  .superRefine((definition, ctx) => {
    for (const problem of referenceProblems(definition)) ctx.addIssue({ code: "custom", ...problem });
    for (const [name, input] of Object.entries(definition.inputs)) {
      const message = input.default === undefined ? undefined : literalSecretProblem([name], input.default);
      if (message !== undefined) ctx.addIssue({ code: "custom", path: ["inputs", name, "default"], message });
    }
  });
export type WorkflowDefinition = z.infer<typeof WorkflowDefinition>;

/** What definitions are checked against; a ToolRegistry is one. `names` makes the error list them. */
export interface ToolCatalog {
  has(name: string): boolean;
  names?(): string[];
}

type FieldPath = (string | number)[];
interface Problem {
  path: FieldPath;
  message: string;
}

/**
 * Parses and validates one definition. Every failure is a `workflow_invalid` BatonError whose
 * message names the file, the step and the field. When `fileLabel` is a .yaml/.yml path, `name`
 * must match the file name.
 */
export function parseWorkflowDefinition(source: string, fileLabel: string, tools: ToolCatalog): WorkflowDefinition {
  const raw = parseYaml(source, fileLabel);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw invalid(`${fileLabel}: the file must be a YAML mapping with \`name\` and \`steps\`.`);
  }
  const parsed = WorkflowDefinition.safeParse(raw, { error: validationMessage });
  const problems = parsed.success
    ? [...toolProblems(parsed.data, tools), ...nameProblems(parsed.data, fileLabel), ...selfCallProblems(parsed.data)]
    : parsed.error.issues.map(issueProblem);
  const first = problems.find((problem) => problem.message.startsWith("is not a known field")) ?? problems[0];
  if (first !== undefined) throw invalid(describeProblem(fileLabel, raw, first, problems.length - 1));
  if (!parsed.success) throw invalid(`${fileLabel}: the definition is invalid.`);
  return parsed.data;
}

/** Reads every *.yaml / *.yml in `dir`; a bad file becomes an entry in `errors` and the rest still load. */
export async function loadWorkflowDirectory(
  dir: string,
  tools: ToolCatalog,
): Promise<{ definitions: WorkflowDefinition[]; errors: BatonError[] }> {
  let files: string[];
  try {
    files = await listWorkflowFiles(dir);
  } catch (cause) {
    return {
      definitions: [],
      errors: [new BatonError("not_found", `Cannot read workflow directory \`${dir}\`.`, { cause })],
    };
  }
  const definitions: WorkflowDefinition[] = [];
  const errors: BatonError[] = [];
  for (const file of files) {
    const label = `${path.basename(dir)}/${file}`;
    try {
      const definition = parseWorkflowDefinition(await readFile(path.join(dir, file), "utf8"), label, tools);
      if (definitions.some((known) => known.name === definition.name)) {
        throw invalid(`${label}: workflow \`${definition.name}\` is already defined by another file.`);
      }
      definitions.push(definition);
    } catch (error) {
      errors.push(asWorkflowError(error, label));
    }
  }
  return { definitions, errors };
}

/**
 * Applies defaults to the inputs a person gave. Unknown and missing inputs are `invalid_command`
 * errors that show how to call the workflow. Optional inputs without a default resolve to "".
 */
export function resolveInputs(definition: WorkflowDefinition, given: Record<string, string>): Record<string, string> {
  const declared = Object.keys(definition.inputs);
  const unknown = Object.keys(given).filter((name) => !Object.hasOwn(definition.inputs, name));
  if (unknown.length > 0) {
    const known = declared.length > 0 ? `its inputs are ${codeList(declared)}` : "it takes no inputs";
    throw new BatonError("invalid_command", `\`${definition.name}\` has no input ${codeList(unknown)}; ${known}.`);
  }
  const resolved: Record<string, string> = {};
  for (const [name, input] of Object.entries(definition.inputs)) {
    resolved[name] = (Object.hasOwn(given, name) ? given[name] : undefined) ?? input.default ?? "";
  }
  const missing = declared.filter((name) => definition.inputs[name]?.required === true && resolved[name] === "");
  if (missing.length > 0) {
    const usage = `/orchestrate run ${definition.name} ${missing.map((name) => `${name}=…`).join(" ")}`;
    const noun = missing.length === 1 ? "input" : "inputs";
    throw new BatonError("invalid_command", `\`${definition.name}\` needs ${noun} ${codeList(missing)}: ${usage}`);
  }
  return resolved;
}

/** The inputs declared `secret: true`. */
export function secretInputNames(definition: WorkflowDefinition): string[] {
  return Object.entries(definition.inputs)
    .filter(([, input]) => input.secret === true)
    .map(([name]) => name);
}

async function listWorkflowFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

function parseYaml(source: string, fileLabel: string): unknown {
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: false });
  const error = document.errors[0];
  if (error !== undefined) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    const reason = error.message.split("\n")[0]?.replace(/[.:]\s*$/, "");
    throw invalid(`${fileLabel}: YAML syntax error at line ${line}, column ${col}: ${reason}.`, error);
  }
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    throw invalid(`${fileLabel}: the YAML could not be read (${errorText(cause)}).`, cause);
  }
}

/** The strings of a step that may hold `{{ placeholders }}`, with their field paths. */
function templatedFields(step: WorkflowStep | ToolStep): Array<[(string | number)[], string]> {
  if (step.kind === "tool") return [...templateStrings(step.with, ["with"])];
  if (step.kind === "approval") return [[["approval", "prompt"], step.approval.prompt]];
  if (step.kind === "agent") return [[["agent", "prompt"], step.agent.prompt]];
  if (step.kind === "workflow") return [...templateStrings(step.workflow.input, ["workflow", "input"])];
  return [];
}

interface ReferenceScope {
  /** Inside a loop's steps (and its until/score), `loop.…` may be read. */
  inLoop?: boolean;
  /** Inside a map's step, `item` and `index` may be read. */
  inMap?: boolean;
  inputs: Set<string>;
  allIds: Set<string>;
  /** Steps that finish before the one being checked (branches of one group cannot see each other). */
  earlier: Set<string>;
  seen: Set<string>;
}

/** Template references and conditions must name a declared input or a step that runs earlier. */
function stepProblems(step: WorkflowStep | ToolStep, at: (string | number)[], scope: ReferenceScope): Problem[] {
  const problems: Problem[] = [];
  if (scope.seen.has(step.id)) problems.push({ path: [...at, "id"], message: `step id \`${step.id}\` is used twice` });
  scope.seen.add(step.id);
  for (const [field, text] of templatedFields(step)) {
    // Secrets reach tools only: never an agent's prompt (an LLM), a child run's input or an approval.
    const allowed = field[0] === "with" ? { ...where(scope), secrets: true } : where(scope);
    const message =
      templateProblem(text, scope.inputs, scope.earlier, scope.allIds, allowed) ?? literalSecretProblem(field, text);
    if (message !== undefined) problems.push({ path: [...at, ...field], message });
  }
  const condition =
    step.when === undefined
      ? undefined
      : conditionProblem(step.when, scope.inputs, scope.earlier, scope.allIds, where(scope));
  if (condition !== undefined) problems.push({ path: [...at, "when"], message: condition });
  return problems;
}

/** A loop's steps see what ran before the loop, earlier steps of their iteration, and loop state. */
function loopProblems(
  step: Extract<WorkflowStep, { kind: "loop" }>,
  at: (string | number)[],
  scope: ReferenceScope,
): Problem[] {
  const inner: ReferenceScope = { ...scope, inLoop: true, earlier: new Set(scope.earlier) };
  const problems: Problem[] = [];
  step.loop.steps.forEach((body, b) => {
    problems.push(...stepProblems(body, [...at, "loop", "steps", b], inner));
    inner.earlier.add(body.id);
  });
  for (const field of ["until", "score"] as const) {
    const source = step.loop[field];
    const message =
      source === undefined
        ? undefined
        : conditionProblem(source, inner.inputs, inner.earlier, inner.allIds, { inLoop: true });
    if (message !== undefined) problems.push({ path: [...at, "loop", field], message });
  }
  for (const id of [step.id, ...step.loop.steps.map((body) => body.id)]) scope.earlier.add(id);
  return problems;
}

/** A map's `over` reads what ran before it; its step also sees `item` and `index`. */
function mapProblems(step: Extract<WorkflowStep, { kind: "map" }>, at: (string | number)[], scope: ReferenceScope) {
  const problems: Problem[] = [];
  const over = conditionProblem(step.map.over, scope.inputs, scope.earlier, scope.allIds, where(scope));
  if (over !== undefined) problems.push({ path: [...at, "map", "over"], message: over });
  const inner: ReferenceScope = { ...scope, inMap: true, earlier: new Set(scope.earlier) };
  problems.push(...stepProblems(step.map.step, [...at, "map", "step"], inner));
  scope.earlier.add(step.id);
  return problems;
}

function referenceProblems(definition: { inputs: Record<string, unknown>; steps: readonly WorkflowStep[] }): Problem[] {
  const allIds = new Set([...stepsWithPaths(definition.steps)].map(([step]) => step.id));
  const scope: ReferenceScope = {
    inputs: new Set(Object.keys(definition.inputs)),
    allIds,
    earlier: new Set(),
    seen: new Set(),
  };
  const problems: Problem[] = [];
  definition.steps.forEach((step, index) => {
    problems.push(...stepProblems(step, ["steps", index], scope));
    if (step.kind === "loop") {
      problems.push(...loopProblems(step, ["steps", index], scope));
      return;
    }
    if (step.kind === "map") {
      problems.push(...mapProblems(step, ["steps", index], scope));
      return;
    }
    if (step.kind !== "parallel") {
      scope.earlier.add(step.id);
      return;
    }
    step.parallel.steps.forEach((branch, b) => {
      problems.push(...stepProblems(branch, ["steps", index, "parallel", "steps", b], scope));
    });
    for (const id of [step.id, ...step.parallel.steps.map((branch) => branch.id)]) scope.earlier.add(id);
  });
  return problems;
}

/** A `when` must parse, and read only declared inputs and earlier steps' outputs. */
function conditionProblem(
  source: string,
  inputs: Set<string>,
  earlier: Set<string>,
  allIds: Set<string>,
  at: Where = {},
) {
  let paths: string[];
  try {
    paths = expressionPaths(parseExpression(source));
  } catch (error) {
    return clause(errorText(error));
  }
  for (const reference of paths) {
    const message = referenceProblem(reference.replace(/\?$/, ""), inputs, earlier, allIds, at);
    if (message !== undefined) return message;
  }
  return undefined;
}

function templateProblem(text: string, inputs: Set<string>, earlier: Set<string>, allIds: Set<string>, at: Where = {}) {
  let paths: string[];
  try {
    paths = templatePaths(text);
  } catch (error) {
    return clause(errorText(error));
  }
  for (const reference of paths) {
    const message = referenceProblem(reference, inputs, earlier, allIds, at);
    if (message !== undefined) return message;
  }
  return undefined;
}

const LOOP_STATE = new Set(["iteration", "previous", "best"]);

/** Where a reference is checked: inside a loop (loop state readable) or a map (item readable). */
interface Where {
  inLoop?: boolean;
  inMap?: boolean;
  /** A tool step's `with`, where `{{ secrets.NAME }}` may be used. */
  secrets?: boolean;
}

function where(scope: ReferenceScope): Where {
  return { ...(scope.inLoop && { inLoop: true }), ...(scope.inMap && { inMap: true }) };
}

function referenceProblem(
  reference: string,
  inputs: Set<string>,
  earlier: Set<string>,
  allIds: Set<string>,
  at: Where = {},
) {
  const [root, name = "", field] = reference.split(".");
  const placeholder = `\`{{ ${reference} }}\``;
  if (root === "item" || root === "index") {
    if (at.inMap && (root === "item" || name === "")) return undefined;
    return `${placeholder} reads a map's current item, which exists only inside a map step (\`item\`, \`index\`)`;
  }
  if (root === "loop") {
    if (at.inLoop && LOOP_STATE.has(name)) return undefined;
    return `${placeholder} reads loop state, which exists only inside a loop (\`loop.iteration\`, \`loop.previous\`, \`loop.best\`)`;
  }
  if (root === "secrets") {
    if (!at.secrets) return `${placeholder} reads a secret, which only a tool step's \`with\` may use`;
    if (!SECRET_NAME.test(name) || field !== undefined)
      return `${placeholder} must name one secret, like \`{{ secrets.API_TOKEN }}\``;
    return undefined;
  }
  if (root === "input") {
    if (inputs.has(name)) return undefined;
    const declared = inputs.size > 0 ? `declared: ${codeList([...inputs])}` : "the workflow declares no inputs";
    return `${placeholder} refers to an input that is not declared (${declared})`;
  }
  if (root !== "steps") return `${placeholder} must start with \`input.\` or \`steps.\``;
  if (!allIds.has(name)) return `${placeholder} refers to a step \`${name}\` that does not exist`;
  if (!earlier.has(name)) return `${placeholder} refers to step \`${name}\`, which does not run before this one`;
  if (field !== "output") return `${placeholder} must read \`steps.${name}.output…\``;
  return undefined;
}

function* templateStrings(value: unknown, at: FieldPath): Generator<[FieldPath, string]> {
  if (typeof value === "string") yield [at, value];
  else if (Array.isArray(value))
    for (const [index, item] of value.entries()) yield* templateStrings(item, [...at, index]);
  else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) yield* templateStrings(item, [...at, key]);
  }
}

function toolProblems(definition: WorkflowDefinition, tools: ToolCatalog): Problem[] {
  const known = tools.names?.().join(", ");
  const hint = known === undefined ? "" : ` (known: ${known})`;
  const unknown = (step: WorkflowStep | ToolStep, at: (string | number)[]): Problem[] =>
    step.kind !== "tool" || tools.has(step.tool)
      ? []
      : [{ path: [...at, "tool"], message: `unknown tool \`${step.tool}\`${hint}` }];
  return definition.steps.flatMap((step, index) => {
    if (step.kind === "loop")
      return step.loop.steps.flatMap((body, b) => unknown(body, ["steps", index, "loop", "steps", b]));
    if (step.kind === "map") return unknown(step.map.step, ["steps", index, "map", "step"]);
    if (step.kind !== "parallel") return unknown(step, ["steps", index]);
    return step.parallel.steps.flatMap((branch, b) => unknown(branch, ["steps", index, "parallel", "steps", b]));
  });
}

/** A workflow that runs itself would never end (deeper cycles stop at MAX_WORKFLOW_DEPTH at run time). */
function selfCallProblems(definition: WorkflowDefinition): Problem[] {
  return [...stepsWithPaths(definition.steps)].flatMap(([step]) =>
    step.kind === "workflow" && step.workflow.name === definition.name
      ? [
          {
            path: ["steps", stepIndex(definition, step.id), "workflow", "name"],
            message: "a workflow cannot run itself",
          },
        ]
      : [],
  );
}

function stepIndex(definition: WorkflowDefinition, id: string): number {
  const index = definition.steps.findIndex(
    (step) =>
      step.id === id ||
      (step.kind === "parallel" && step.parallel.steps.some((b) => b.id === id)) ||
      (step.kind === "loop" && step.loop.steps.some((b) => b.id === id)) ||
      (step.kind === "map" && step.map.step.id === id),
  );
  return Math.max(0, index);
}

function nameProblems(definition: WorkflowDefinition, fileLabel: string): Problem[] {
  const match = /([^/\\]+)\.ya?ml$/i.exec(fileLabel);
  const fileName = match?.[1];
  if (fileName === undefined || fileName === definition.name) return [];
  return [{ path: ["name"], message: `\`${definition.name}\` must match the file name \`${fileName}\`` }];
}

function issueProblem(issue: z.core.$ZodIssue): Problem {
  const path = issue.path.filter((key) => typeof key !== "symbol");
  if (issue.code === "unrecognized_keys") return { path: [...path, ...issue.keys], message: "is not a known field" };
  return { path, message: issue.message };
}

function describeProblem(fileLabel: string, raw: object, problem: Problem, others: number): string {
  const [first, index, ...rest] = problem.path;
  const more = others > 0 ? ` (and ${others} more problem${others === 1 ? "" : "s"})` : "";
  if (first === "steps" && typeof index === "number") {
    const step = `${fileLabel}: step ${stepLabel(raw, index)}`;
    return rest.length > 0
      ? `${step}, field \`${rest.join(".")}\`: ${problem.message}${more}.`
      : `${step}: ${problem.message}${more}.`;
  }
  if (problem.path.length === 0) return `${fileLabel}: ${problem.message}${more}.`;
  return `${fileLabel}, field \`${problem.path.join(".")}\`: ${problem.message}${more}.`;
}

/** The step's id as written, or its position when the id itself is what is wrong. */
function stepLabel(raw: object, index: number): string {
  const steps: unknown = (raw as { steps?: unknown }).steps;
  const step: unknown = Array.isArray(steps) ? steps[index] : undefined;
  const id: unknown = typeof step === "object" && step !== null ? (step as { id?: unknown }).id : undefined;
  return typeof id === "string" && IDENTIFIER.test(id) ? `\`${id}\`` : `#${index + 1}`;
}

function asWorkflowError(error: unknown, label: string): BatonError {
  if (error instanceof BatonError) return error;
  return invalid(`${label}: the file could not be read (${errorText(error)}).`, error);
}

function invalid(message: string, cause?: unknown): BatonError {
  return new BatonError("workflow_invalid", message, cause === undefined ? {} : { cause });
}

/** "Template has …." → "template has …", so it reads as the end of a longer sentence. */
function clause(sentence: string): string {
  return sentence.replace(/\.$/, "").replace(/^[A-Z](?=[a-z])/, (letter) => letter.toLowerCase());
}

function codeList(names: readonly string[]): string {
  return names.map((name) => `\`${name}\``).join(", ");
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
