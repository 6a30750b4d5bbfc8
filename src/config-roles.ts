import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { parseCommandPattern } from "./commands/access/command-pattern.js";
import { BUILT_IN_ROLE_NAMES, BUILT_IN_ROLES, type Role } from "./commands/access/roles.js";

export const RolesEnvShape = {
  /** A YAML file of custom roles (README "Permissions"); unset: the built-in roles only. */
  BATON_ROLES_FILE: z.string().min(1).optional(),
};

const ROLE_NAME = /^[a-z][a-z0-9_-]{0,39}$/;

const RoleEntry = z.strictObject({
  description: z.string().max(200).default(""),
  /** Built-in or earlier roles whose patterns this one starts from. */
  extends: z.array(z.string()).default([]),
  allow: z.array(z.string().min(1).max(140)).default([]),
});

const RolesFile = z.strictObject({ roles: z.record(z.string(), z.unknown()) });

/**
 * Reads BATON_ROLES_FILE. Every problem names the file and the field (`roles.deployer.allow[1]`);
 * any problem stops start-up, since a role that half-loads grants the wrong thing.
 */
export function loadRolesFile(file: string | undefined): { roles: Role[]; problems: string[] } {
  if (file === undefined) return { roles: [], problems: [] };
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { roles: [], problems: [`BATON_ROLES_FILE: ${file} cannot be read as YAML (${why}).`] };
  }
  const parsed = RolesFile.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join(".") || "roles";
    return {
      roles: [],
      problems: [
        `BATON_ROLES_FILE: ${file}: ${field}: ${issue?.message ?? "invalid"} (expected roles: { name: { allow: [...] } }).`,
      ],
    };
  }
  const roles: Role[] = [];
  const problems: string[] = [];
  for (const [name, value] of Object.entries(parsed.data.roles)) {
    const at = `${file}: roles.${name}`;
    if (!ROLE_NAME.test(name))
      problems.push(`BATON_ROLES_FILE: ${at}: a role name is lower-case letters, digits, '_' or '-'.`);
    else if ((BUILT_IN_ROLE_NAMES as readonly string[]).includes(name))
      problems.push(`BATON_ROLES_FILE: ${at}: ${name} is a built-in role; choose another name.`);
    const entry = RoleEntry.safeParse(value ?? {});
    if (!entry.success) {
      for (const issue of entry.error.issues)
        problems.push(`BATON_ROLES_FILE: ${at}.${issue.path.map(String).join(".") || "allow"}: ${issue.message}.`);
      continue;
    }
    const allow = [];
    for (const [index, base] of entry.data.extends.entries()) {
      const known = BUILT_IN_ROLES[base as keyof typeof BUILT_IN_ROLES] ?? roles.find((role) => role.name === base);
      if (known) allow.push(...known.allow);
      else
        problems.push(`BATON_ROLES_FILE: ${at}.extends[${index}]: no role "${base}" (built-in, or defined above it).`);
    }
    for (const [index, text] of entry.data.allow.entries()) {
      const pattern = parseCommandPattern(text);
      if (typeof pattern === "string") problems.push(`BATON_ROLES_FILE: ${at}.allow[${index}]: ${pattern}.`);
      else allow.push(pattern);
    }
    if (allow.length === 0 && problems.length === 0)
      problems.push(`BATON_ROLES_FILE: ${at}.allow: a role must allow something.`);
    roles.push({ name, description: entry.data.description, allow, builtIn: false });
  }
  return { roles: problems.length > 0 ? [] : roles, problems };
}
