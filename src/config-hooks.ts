import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { isCommandType } from "./commands/commands.js";
import { parseTemplate } from "./http/hooks/template.js";
import { SECRET_NAME } from "./secrets/secret-names.js";

export const HooksEnvShape = {
  /** A YAML file of inbound webhooks served at POST /hooks/{name} (README "Webhooks"); unset: none. */
  BATON_HOOKS_FILE: z.string().min(1).optional(),
};

/** How a sender proves it is who the hook expects (README "Webhooks"). */
export const VERIFY_KINDS = ["github", "bearer", "hmac"] as const;
export type VerifyKind = (typeof VERIFY_KINDS)[number];

/** A command as written in the file: constants and `{{ body.… }}` / `{{ headers.… }}` strings. */
export type CommandTemplate = { [key: string]: TemplateValue };
export type TemplateValue = string | number | boolean | CommandTemplate;

/** One hook as the file describes it; its secret is still a name (resolved by `resolveHookSecrets`). */
export interface HookSpec {
  name: string;
  verify: { kind: VerifyKind; secretName: string };
  /** The service identity `webhook:<as>` the hook acts as; admins grant it roles. */
  as: string;
  /** Where the result is posted, or null. */
  channel: { platform: string; id: string } | null;
  command: CommandTemplate;
  /** A template for the delivery id requests are deduplicated on; null: the verify kind's default. */
  delivery: string | null;
  /** `<file>: hooks.<name>`, for problems found after loading (an unknown secret). */
  at: string;
}

/** A hook ready to serve: its secret's value in memory only, never stored or logged. */
export interface Hook extends Omit<HookSpec, "verify" | "at"> {
  verify: { kind: VerifyKind; secret: string };
}

const HOOK_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const IDENTITY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
/** `{{ secrets.NAME }}` and nothing else: anchored, no nested quantifiers. */
const SECRET_REFERENCE = /^\{\{\s*secrets\.([A-Za-z0-9_]{1,100})\s*\}\}$/;

const TemplateValueSchema: z.ZodType<TemplateValue> = z.lazy(() =>
  z.union([z.string().max(2000), z.number(), z.boolean(), z.record(z.string(), TemplateValueSchema)]),
);

const HookEntry = z.strictObject({
  verify: z
    .strictObject({ github: z.string().optional(), bearer: z.string().optional(), hmac: z.string().optional() })
    .refine((verify) => Object.keys(verify).length === 1, { message: "name exactly one of github, bearer, hmac" }),
  as: z.string().regex(IDENTITY, "a service identity is letters, digits, '.', '_' or '-'"),
  channel: z.strictObject({ platform: z.string().min(1).max(40), id: z.string().min(1).max(200) }).optional(),
  command: z
    .record(z.string(), TemplateValueSchema)
    .refine((command) => typeof command.type === "string" && isCommandType(command.type), {
      message: "command.type must name a command (e.g. workflow.run)",
    }),
  delivery: z.string().min(1).max(500).optional(),
});

const HooksFile = z.strictObject({ hooks: z.record(z.string(), z.unknown()) });

/**
 * Reads BATON_HOOKS_FILE. Every problem is one sentence naming the file and the field
 * (`hooks.github-push.verify`); any problem stops start-up, since a half-loaded hook would answer
 * its sender with 404s nobody reads.
 */
export function loadHooksFile(file: string | undefined): { hooks: HookSpec[]; problems: string[] } {
  if (file === undefined) return { hooks: [], problems: [] };
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { hooks: [], problems: [`BATON_HOOKS_FILE: ${file} cannot be read as YAML (${why}).`] };
  }
  const parsed = HooksFile.safeParse(raw ?? {});
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.map(String).join(".") || "hooks";
    return {
      hooks: [],
      problems: [`BATON_HOOKS_FILE: ${file}: ${field}: expected hooks: { name: { verify, as, command } }.`],
    };
  }
  const hooks: HookSpec[] = [];
  const problems: string[] = [];
  for (const [name, value] of Object.entries(parsed.data.hooks)) {
    const read = readHook(name, value, `${file}: hooks.${name}`);
    if (typeof read === "string") problems.push(`BATON_HOOKS_FILE: ${read}`);
    else hooks.push(read);
  }
  return { hooks: problems.length > 0 ? [] : hooks, problems };
}

function readHook(name: string, value: unknown, at: string): HookSpec | string {
  if (!HOOK_NAME.test(name)) return `${at}: a hook name is lower-case letters, digits, '_' or '-'.`;
  const entry = HookEntry.safeParse(value ?? {});
  if (!entry.success) {
    const issue = entry.error.issues[0];
    if (issue?.code === "unrecognized_keys") {
      const field = [...issue.path.map(String), issue.keys[0]].join(".");
      return `${at}.${field}: not a field here (a hook has verify, as, channel, command, delivery).`;
    }
    return `${at}.${issue?.path.map(String).join(".") || "verify"}: ${issue?.message ?? "invalid"}.`;
  }
  const { verify, as, channel, command, delivery } = entry.data;
  const [kind, reference] = Object.entries(verify)[0] as [VerifyKind, string];
  const secretName = SECRET_REFERENCE.exec(reference.trim())?.[1];
  if (secretName === undefined || !SECRET_NAME.test(secretName))
    return `${at}.verify.${kind}: write the secret as "{{ secrets.NAME }}", never its value.`;
  const template = templateProblem(command, `${at}.command`) ?? templateProblem({ delivery }, at);
  if (template !== null) return template;
  return { name, verify: { kind, secretName }, as, channel: channel ?? null, command, delivery: delivery ?? null, at };
}

/** The first string in `value` whose `{{ … }}` does not parse, as `<at>.<field>: why.` */
function templateProblem(value: CommandTemplate | { delivery: string | undefined }, at: string): string | null {
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || typeof item === "number" || typeof item === "boolean") continue;
    if (typeof item === "object") {
      const nested = templateProblem(item, `${at}.${key}`);
      if (nested !== null) return nested;
      continue;
    }
    const parsed = parseTemplate(item);
    if ("error" in parsed) return `${at}.${key}: ${parsed.error}.`;
  }
  return null;
}

/**
 * Each hook's secret from the secret store, at start-up: an unknown name is a problem naming the
 * file and field (the value is never part of a problem).
 */
export function resolveHookSecrets(
  specs: readonly HookSpec[],
  secrets: { names(): string[]; resolve(name: string): string },
): { hooks: Hook[]; problems: string[] } {
  const known = new Set(secrets.names());
  const hooks: Hook[] = [];
  const problems: string[] = [];
  for (const { verify, at, ...spec } of specs) {
    if (!known.has(verify.secretName)) {
      problems.push(
        `BATON_HOOKS_FILE: ${at}.verify.${verify.kind}: no secret ${verify.secretName}; set BATON_SECRET_${verify.secretName} or add it to BATON_SECRETS_FILE.`,
      );
      continue;
    }
    hooks.push({ ...spec, verify: { kind: verify.kind, secret: secrets.resolve(verify.secretName) } });
  }
  return { hooks, problems };
}
