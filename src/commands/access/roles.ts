import { type CommandPattern, formatPattern, parseCommandPattern } from "./command-pattern.js";

/** A role: a name and the command patterns it allows. */
export interface Role {
  name: string;
  description: string;
  allow: readonly CommandPattern[];
  builtIn: boolean;
}

export const BUILT_IN_ROLE_NAMES = ["viewer", "operator", "approver", "admin"] as const;
export type BuiltInRoleName = (typeof BUILT_IN_ROLE_NAMES)[number];

function patterns(entries: readonly string[]): CommandPattern[] {
  return entries.map((entry) => {
    const parsed = parseCommandPattern(entry);
    if (typeof parsed === "string") throw new Error(`built-in role pattern ${parsed}`);
    return parsed;
  });
}

const VIEWER = ["read"];

/**
 * The built-in roles (README "Permissions"). Every platform user without a grant is a viewer;
 * operators run work, approvers answer approval steps, admins may do everything.
 */
export const BUILT_IN_ROLES: Readonly<Record<BuiltInRoleName, Role>> = {
  viewer: {
    name: "viewer",
    description: "every read command",
    allow: patterns(VIEWER),
    builtIn: true,
  },
  operator: {
    name: "operator",
    description:
      "viewer, plus running workflows, cancelling your own runs, asking and spawning agents, /improve feedback",
    allow: patterns([...VIEWER, "workflow.run", "execution.cancel:own", "ask", "agent.spawn", "improve"]),
    builtIn: true,
  },
  approver: {
    name: "approver",
    description: "viewer, plus approving and rejecting waiting steps and budget decisions",
    allow: patterns([...VIEWER, "execution.approve:run", "execution.reject:run"]),
    builtIn: true,
  },
  admin: {
    name: "admin",
    description: "everything: grants, budgets, modes, schedules, rollbacks, /improve proposals, anyone's runs",
    allow: patterns(["*"]),
    builtIn: true,
  },
};

/** The roles an installation knows: the built-in ones and those from BATON_ROLES_FILE. */
export class RoleBook {
  private readonly roles: ReadonlyMap<string, Role>;

  constructor(custom: readonly Role[] = []) {
    this.roles = new Map([...Object.values(BUILT_IN_ROLES), ...custom].map((role) => [role.name, role]));
  }

  get(name: string): Role | undefined {
    return this.roles.get(name.toLowerCase());
  }

  all(): Role[] {
    return [...this.roles.values()];
  }

  names(): string[] {
    return [...this.roles.keys()];
  }

  describe(role: Role): string {
    return role.builtIn
      ? role.description
      : `${role.description || "custom"} (${role.allow.map(formatPattern).join(", ")})`;
  }
}
