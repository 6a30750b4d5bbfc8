import { randomBytes } from "node:crypto";
import type { Command } from "../commands/commands.js";
import { BatonError } from "../errors.js";

/**
 * Ids of executions, agents, schedules and orchestrator runs: `<prefix>_` and 16 lowercase hex
 * digits, 64 random bits (a 50% chance of one collision only after about 5 billion ids; 32 bits
 * reached it at about 77,000). People type a unique prefix instead (`ex_3f2a`), see `fullIds`.
 */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString("hex")}`;
}

/** A typed short id: the id's word, `_`, and at least four of its hex digits. */
const SHORT_ID = /_[0-9a-f]{4,}$/;

/** Where ids of one kind live: an exact lookup, and ids beginning with a typed prefix. */
export interface TypedIdLookup {
  get(id: string): Promise<unknown>;
  idsStartingWith(prefix: string): Promise<string[]>;
}

/**
 * The id a person meant: the typed text itself when it is a whole id (old 8-hex ids included) or
 * matches nothing (the caller then says it does not exist), else the one id it begins. Several
 * matches are refused with a sentence naming them, so nothing acts on a guess.
 */
export async function fullId(typed: string, noun: string, lookup: TypedIdLookup): Promise<string> {
  if (!SHORT_ID.test(typed) || (await lookup.get(typed))) return typed;
  const matches = await lookup.idsStartingWith(typed);
  if (matches.length <= 1) return matches[0] ?? typed;
  const named = matches.map((id) => `\`${id}\``).join(", ");
  throw new BatonError(
    "invalid_command",
    `\`${typed}\` is the start of more than one ${noun} (${named}); type a few more characters of the id.`,
  );
}

/** The command fields that hold a typed id, and what each names. */
export interface TypedIdLookups {
  execution: TypedIdLookup;
  agent: TypedIdLookup;
  schedule: TypedIdLookup;
}

const NOUNS: Readonly<Record<keyof TypedIdLookups, string>> = {
  execution: "execution",
  agent: "agent",
  schedule: "schedule",
};

/** The command with every typed id (`execution`, `agent`, `schedule`) replaced by the whole id it stands for. */
export async function fullIds(command: Command, lookups: TypedIdLookups): Promise<Command> {
  let resolved: Command = command;
  for (const field of Object.keys(NOUNS) as Array<keyof TypedIdLookups>) {
    const typed: unknown = (command as Partial<Record<keyof TypedIdLookups, unknown>>)[field];
    if (typeof typed !== "string") continue;
    const id = await fullId(typed, NOUNS[field], lookups[field]);
    if (id !== typed) resolved = { ...resolved, [field]: id } as Command;
  }
  return resolved;
}
