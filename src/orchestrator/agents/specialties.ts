import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { z } from "zod";
import { BatonError } from "../../errors.js";

/** The read-only orchestrator queries an agent may call (query-tools.ts). */
export const AGENT_TOOL_NAMES = ["status", "executions", "execution", "history"] as const;
export type AgentToolName = (typeof AGENT_TOOL_NAMES)[number];

const specialtyName = z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, "lower-case letters, digits and '_'");

const SpecialtySchema = z.strictObject({
  purpose: z.string().trim().min(1).max(500),
  prompt: z.string().trim().min(1).max(10_000),
  temperature: z.number().min(0).max(2).default(0),
  tools: z.array(z.enum(AGENT_TOOL_NAMES)).default([]),
  route: z.array(z.enum(["anthropic", "openai"])).default([]),
  keywords: z.array(z.string().trim().min(1).max(100)).default([]),
});

const SpecialtiesFile = z.strictObject({
  default: specialtyName.optional(),
  specialties: z.record(specialtyName, SpecialtySchema).default({}),
});

export type Specialty = z.infer<typeof SpecialtySchema> & { name: string };

export interface Specialties {
  all: ReadonlyMap<string, Specialty>;
  defaultName: string;
}

/** The defaults baton ships (agents/specialties.yaml at the package root). */
export const DEFAULT_SPECIALTIES_FILE = fileURLToPath(new URL("../../../agents/specialties.yaml", import.meta.url));

/**
 * The shipped specialties, then the team's file on top (same names replace, new names add).
 * A bad file is one BatonError naming the file and the field.
 */
export function loadSpecialties(teamFile?: string | null): Specialties {
  const all = new Map<string, Specialty>();
  let defaultName = "researcher";
  for (const file of [DEFAULT_SPECIALTIES_FILE, ...(teamFile ? [teamFile] : [])]) {
    const parsed = readSpecialtiesFile(file);
    for (const [name, specialty] of Object.entries(parsed.specialties)) all.set(name, { ...specialty, name });
    if (parsed.default) defaultName = parsed.default;
  }
  if (!all.has(defaultName)) {
    throw new BatonError("config_invalid", `The default specialty "${defaultName}" is not defined in any file.`);
  }
  return { all, defaultName };
}

function readSpecialtiesFile(file: string): z.infer<typeof SpecialtiesFile> {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, "utf8"));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new BatonError("config_invalid", `${file}: cannot read the specialties file (${reason}).`, { cause: error });
  }
  const result = SpecialtiesFile.safeParse(raw ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join(".") : "(top level)";
  throw new BatonError("config_invalid", `${file}: ${field}: ${issue?.message ?? "invalid"}.`);
}

/** What fills a specialty's prompt template. */
export interface SpawnContext {
  askedBy: string;
  channel: string | null;
  thread: string | null;
  goal: string;
}

/** The system prompt: the template with {{ name }} placeholders filled in (unknown ones left as typed). */
export function composePrompt(specialty: Specialty, context: SpawnContext): string {
  const values: Record<string, string> = {
    specialty: specialty.name,
    purpose: specialty.purpose,
    asked_by: context.askedBy,
    channel: context.channel ?? "a direct conversation",
    thread: context.thread ?? "none",
    goal: context.goal,
  };
  return specialty.prompt.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, key: string) => values[key] ?? whole);
}

/**
 * Which specialty answers a question: the one named, else the one whose keywords the question
 * mentions most (ties: file order), else the default.
 */
export function pickSpecialty(specialties: Specialties, question: string, named?: string): Specialty {
  if (named !== undefined) {
    const chosen = specialties.all.get(named);
    if (chosen) return chosen;
    const known = [...specialties.all.keys()].join(", ");
    throw new BatonError("invalid_command", `There is no "${named}" specialty; choose one of ${known}.`);
  }
  const text = question.toLowerCase();
  let best: { specialty: Specialty; hits: number } | null = null;
  for (const specialty of specialties.all.values()) {
    const hits = specialty.keywords.filter((word) => matchesWord(text, word.toLowerCase())).length;
    if (hits > 0 && (best === null || hits > best.hits)) best = { specialty, hits };
  }
  return best?.specialty ?? (specialties.all.get(specialties.defaultName) as Specialty);
}

function matchesWord(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^a-z0-9])${escaped}([^a-z0-9]|$)`).test(text);
}
