import { accessOf, COMMAND_SPECS, type Command, type CommandType, isCommandType } from "../commands.js";
import { SPENDS_LLM } from "../spending.js";

/**
 * One entry of a role: which commands it allows. Written as
 * - `*`: every command;
 * - an access class: `read`, `change`, `destructive`, `spend` (a command that can call an LLM);
 * - a family: `execution.*`;
 * - a type: `execution.cancel`;
 * - a type narrowed to a target: `workflow.run:healthcheck` (a workflow's name, for the commands
 *   that name one), `execution.cancel:own` (runs the asker started), `execution.approve:run` and
 *   `execution.approve:proposal` (an approval step, or an `/improve` proposal).
 */
export type CommandPattern =
  | { kind: "all" }
  | { kind: "class"; access: AccessClass }
  | { kind: "family"; family: string }
  | { kind: "type"; type: CommandType; target: string | null };

export const ACCESS_CLASSES = ["read", "change", "destructive", "spend"] as const;
export type AccessClass = (typeof ACCESS_CLASSES)[number];

const FAMILIES: ReadonlySet<string> = new Set(
  Object.keys(COMMAND_SPECS).flatMap((type) => (type.includes(".") ? [type.slice(0, type.indexOf("."))] : [])),
);

/** The targets a narrowed pattern may name, per type; a workflow name for the workflow commands. */
const FIXED_TARGETS: Partial<Record<CommandType, readonly string[]>> = {
  "execution.cancel": ["own"],
  "execution.approve": ["run", "proposal"],
  "execution.reject": ["run", "proposal"],
};
const WORKFLOW_TARGETED: ReadonlySet<CommandType> = new Set(["workflow.run", "workflow.show", "workflow.rollback"]);

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Parses one pattern; a string saying what is wrong when it is not one. */
export function parseCommandPattern(text: string): CommandPattern | string {
  const entry = text.trim();
  if (entry === "*") return { kind: "all" };
  if ((ACCESS_CLASSES as readonly string[]).includes(entry)) return { kind: "class", access: entry as AccessClass };
  if (entry.endsWith(".*")) {
    const family = entry.slice(0, -2);
    return FAMILIES.has(family)
      ? { kind: "family", family }
      : `"${entry}" names no command family (${[...FAMILIES].join(", ")})`;
  }
  const colon = entry.indexOf(":");
  const type = colon < 0 ? entry : entry.slice(0, colon);
  const target = colon < 0 ? null : entry.slice(colon + 1);
  if (!isCommandType(type))
    return `"${entry}" is not a command type, family (x.*) or access class (${ACCESS_CLASSES.join(", ")})`;
  if (target === null) return { kind: "type", type, target: null };
  const fixed = FIXED_TARGETS[type];
  if (fixed?.includes(target) || (WORKFLOW_TARGETED.has(type) && NAME.test(target)))
    return { kind: "type", type, target };
  const allowed = fixed ? fixed.join(" or ") : WORKFLOW_TARGETED.has(type) ? "a workflow name" : "nothing";
  return `"${entry}": ${type} can be narrowed to ${allowed}`;
}

/** The access classes a command falls in: its table class, and `spend` when it can call an LLM. */
export function classesOf(command: Command): AccessClass[] {
  const access = accessOf(command);
  return SPENDS_LLM.has(command.type) ? [access, "spend"] : [access];
}

/**
 * What a narrowed pattern is compared with: the workflow a workflow command names, whether an
 * approval answers a run or an `/improve` proposal. Cancelling one's own run is decided with the
 * execution's requester, which the handler knows (`RequestContext.ownRunsOnly`).
 */
export function targetOf(command: Command): string | null {
  if (command.type === "workflow.run" || command.type === "workflow.show" || command.type === "workflow.rollback")
    return command.workflow;
  if (command.type === "execution.approve" || command.type === "execution.reject")
    return /^imp_\d+$/i.test(command.execution) ? "proposal" : "run";
  return null;
}

/** How a pattern covers a command: fully, only for the asker's own runs, or not at all. */
export type Coverage = "all" | "own" | "none";

export function coverage(pattern: CommandPattern, command: Command): Coverage {
  switch (pattern.kind) {
    case "all":
      return "all";
    case "class":
      return classesOf(command).includes(pattern.access) ? "all" : "none";
    case "family":
      return command.type.startsWith(`${pattern.family}.`) ? "all" : "none";
    case "type": {
      if (pattern.type !== command.type) return "none";
      if (pattern.target === null) return "all";
      if (pattern.target === "own" && command.type === "execution.cancel") return "own";
      return pattern.target === targetOf(command) ? "all" : "none";
    }
  }
}

/** Whether a pattern allows some command of this type (any target): for help and the router's tools. */
export function coversType(pattern: CommandPattern, type: CommandType): boolean {
  switch (pattern.kind) {
    case "all":
      return true;
    case "class": {
      const access = COMMAND_SPECS[type].access;
      return pattern.access === "spend"
        ? SPENDS_LLM.has(type)
        : access === pattern.access || (type === "orchestrator.mode" && pattern.access === "destructive");
    }
    case "family":
      return type.startsWith(`${pattern.family}.`);
    case "type":
      return pattern.type === type;
  }
}

export function formatPattern(pattern: CommandPattern): string {
  switch (pattern.kind) {
    case "all":
      return "*";
    case "class":
      return pattern.access;
    case "family":
      return `${pattern.family}.*`;
    case "type":
      return pattern.target === null ? pattern.type : `${pattern.type}:${pattern.target}`;
  }
}
