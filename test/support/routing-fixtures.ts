import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { Command } from "../../src/commands/commands.js";
import type { RouteContext } from "../../src/routing/types.js";

/**
 * test/fixtures/routing.yaml, checked: what people type, and what a correct router makes of it.
 * Shared by the rules router's unit test and the LLM router eval, so both grade the same answers.
 */
export interface RoutingFixture {
  text: string;
  /** The command a correct router produces; null when it must not produce a runnable command. */
  expect: Command | null;
  /** False for fixtures the offline rules router is not expected to get right. */
  rules: boolean;
}

/** What every fixture is routed with: the workflows it names, and the actor asking. */
export const FIXTURE_CONTEXT: RouteContext = {
  actorId: "U1",
  actorName: "ada",
  workflows: [
    { name: "hello", description: "Greets someone", inputs: [{ name: "name", required: true }] },
    { name: "healthcheck", inputs: [{ name: "urls", required: true }] },
  ],
};

const FIXTURES_FILE = new URL("../fixtures/routing.yaml", import.meta.url);

const Entry = z.strictObject({
  text: z.string(),
  expect: z.unknown().refine((value) => value !== undefined, "is required: a command, or null"),
  rules: z.boolean().optional(),
});

export function loadRoutingFixtures(): RoutingFixture[] {
  const entries = z.array(z.unknown()).parse(parse(readFileSync(FIXTURES_FILE, "utf8")));
  return entries.map((entry, index) => toFixture(entry, index));
}

function toFixture(entry: unknown, index: number): RoutingFixture {
  const shape = Entry.safeParse(entry);
  if (!shape.success) throw new Error(`routing.yaml fixture #${index + 1}: ${z.prettifyError(shape.error)}`);
  const { text, expect, rules = true } = shape.data;
  if (expect === null) return { text, expect: null, rules };
  const command = Command.safeParse(expect);
  if (!command.success) {
    throw new Error(`routing.yaml fixture “${text}”: expect is not a command. ${z.prettifyError(command.error)}`);
  }
  return { text, expect: command.data, rules };
}

/**
 * test/fixtures/routing-heldout.yaml: everyday requests written apart from the router and from
 * routing.yaml, to measure how the offline router generalizes. Never tuned on: nothing in
 * src/routing/ may be changed to make one of these pass.
 */
export interface HeldOutCase {
  text: string;
  /** The command type a correct router picks; null when no command is meant. */
  type: string | null;
  /** Only the arguments the writer was sure of: each must equal the routed command's. */
  args: Record<string, unknown>;
}

/** The shipped workflows (workflows/), which the held-out phrasings name. */
export const HELDOUT_CONTEXT: RouteContext = {
  actorId: "U1",
  actorName: "ada",
  workflows: [
    { name: "hello", description: "Greets someone by name.", inputs: [{ name: "name", required: true }] },
    { name: "healthcheck", inputs: [{ name: "urls", required: true }] },
    {
      name: "map-reduce",
      inputs: [
        { name: "topics", required: true },
        { name: "question", required: false },
      ],
    },
    { name: "plan-execute-review", inputs: [{ name: "goal", required: true }] },
    { name: "critic-loop", inputs: [{ name: "brief", required: true }] },
  ],
};

const HELDOUT_FILE = new URL("../fixtures/routing-heldout.yaml", import.meta.url);
/**
 * test/fixtures/routing-tuning.yaml: more everyday requests in the held-out set's format, written
 * apart from the router and without reading the held-out set. Unlike the held-out set, this one is
 * tuned on: the rules router may change to get these right.
 */
const TUNING_FILE = new URL("../fixtures/routing-tuning.yaml", import.meta.url);
const HeldOutEntry = z.strictObject({
  text: z.string(),
  expect: z.looseObject({ type: z.string() }),
});

export function loadHeldOut(which: "held-out" | "tuning" = "held-out"): HeldOutCase[] {
  const file = which === "held-out" ? HELDOUT_FILE : TUNING_FILE;
  const entries = z.array(HeldOutEntry).parse(parse(readFileSync(file, "utf8")));
  return entries.map(({ text, expect: { type, ...args } }) => ({ text, type: type === "none" ? null : type, args }));
}
