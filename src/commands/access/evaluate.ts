import { COMMAND_TYPES, type Command, type CommandType, SELF_TYPES } from "../commands.js";
import { type Coverage, coverage, coversType, targetOf } from "./command-pattern.js";
import type { Grant } from "./grants.js";
import { BUILT_IN_ROLES, type Role, type RoleBook } from "./roles.js";

/**
 * The person asking, as the policy sees them: every account linked to them, the platform groups
 * they are in, and whether they are an admin by configuration (the installation's owner at the
 * console, or BATON_ADMINS), which no grant can narrow.
 */
export interface Holder {
  accounts: readonly string[];
  /** `platform:groupId`, from the platform (Discord member roles, Slack user groups). */
  groups: readonly string[];
  /** Why the groups could not be read (a Slack API failure); such a lookup denies, never allows. */
  groupError: string | null;
  /** The platforms whose groups `groups` covers, and `groupError` is about. */
  groupPlatforms: readonly string[];
  configuredAdmin: "owner" | "BATON_ADMINS" | null;
}

export type AccessDecision =
  | { allowed: true; roles: string[]; ownRunsOnly: boolean }
  | { allowed: false; roles: string[]; wouldAllow: string[]; groupError: string | null };

export interface AccessQuery {
  book: RoleBook;
  grants: readonly Grant[];
  holder: Holder;
  channel: string | null;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Whether a grant's subject is this holder: one of their accounts, or a group they are in. */
export function holds(holder: Holder, grant: Grant): boolean {
  const subject = grant.subject;
  if (subject.kind === "person") return holder.accounts.some((account) => same(account, subject.account));
  return holder.groups.some((group) => same(group, subject.group));
}

/** A grant's scope covers the request: its channel (or none), and the workflow the command names (or none). */
function inScope(grant: Grant, channel: string | null, workflow: string | null): boolean {
  if (grant.channel !== null && (channel === null || !same(grant.channel, channel))) return false;
  return grant.workflow === null || (workflow !== null && same(grant.workflow, workflow));
}

/** Workflow-scoped grants outrank channel-scoped ones, which outrank grants that apply everywhere. */
export function scopeRank(grant: Pick<Grant, "channel" | "workflow">): number {
  return (grant.workflow !== null ? 2 : 0) + (grant.channel !== null ? 1 : 0);
}

interface Effective {
  roles: Role[];
  rank: number;
}

/**
 * The roles that decide: those of the most specific grants that apply (ties add up), or the
 * viewer role when none does — deny-by-default beyond reading.
 */
function effectiveRoles(query: AccessQuery, workflow: string | null): Effective {
  const applicable = query.grants.filter(
    (grant) => holds(query.holder, grant) && inScope(grant, query.channel, workflow),
  );
  if (applicable.length === 0) return { roles: [BUILT_IN_ROLES.viewer], rank: -1 };
  const rank = Math.max(...applicable.map(scopeRank));
  const names = new Set(applicable.filter((grant) => scopeRank(grant) === rank).map((grant) => grant.role));
  return { roles: [...names].flatMap((name) => query.book.get(name) ?? []), rank };
}

function coverageBy(roles: readonly Role[], command: Command): Coverage {
  let best: Coverage = "none";
  for (const role of roles)
    for (const pattern of role.allow) {
      const found = coverage(pattern, command);
      if (found === "all") return "all";
      if (found === "own") best = "own";
    }
  return best;
}

/**
 * Whether a group grant the holder might be in, on a platform whose groups could not be read,
 * would have decided this request: then the answer is no, with the reason.
 */
function unknowableGroupGrant(query: AccessQuery, workflow: string | null, rank: number): boolean {
  const { holder } = query;
  if (holder.groupError === null) return false;
  return query.grants.some((grant) => {
    const group = grant.subject.kind === "group" ? grant.subject.group : null;
    if (group === null || !holder.groupPlatforms.some((platform) => group.startsWith(`${platform}:`))) return false;
    return inScope(grant, query.channel, workflow) && scopeRank(grant) >= rank;
  });
}

/** The policy's answer for one command here (README "Permissions": deny-by-default, most specific grant wins). */
export function decideAccess(query: AccessQuery, command: Command): AccessDecision {
  if (query.holder.configuredAdmin !== null) return { allowed: true, roles: ["admin"], ownRunsOnly: false };
  const workflow = workflowOf(command);
  // Linking one's own accounts needs no role: a code is shown only to the account that asked for it.
  if (SELF_TYPES.has(command.type))
    return { allowed: true, roles: effectiveRoles(query, workflow).roles.map((role) => role.name), ownRunsOnly: false };
  const effective = effectiveRoles(query, workflow);
  const roles = effective.roles.map((role) => role.name);
  const covered = coverageBy(effective.roles, command);
  const groupError = unknowableGroupGrant(query, workflow, effective.rank) ? query.holder.groupError : null;
  if (covered !== "none" && groupError === null) return { allowed: true, roles, ownRunsOnly: covered === "own" };
  const wouldAllow = query.book
    .all()
    .filter((role) => coverageBy([role], command) === "all")
    .map((role) => role.name);
  return { allowed: false, roles, wouldAllow, groupError };
}

/** The workflow a command names, for workflow-scoped grants. */
function workflowOf(command: Command): string | null {
  return command.type === "workflow.run" || command.type === "workflow.show" || command.type === "workflow.rollback"
    ? targetOf(command)
    : null;
}

/**
 * The command types the holder may run here in some form (a workflow-scoped grant allows `run`
 * for that workflow): what help, the router's tools and the platforms' command lists show.
 */
export function allowedTypes(query: AccessQuery): Set<CommandType> {
  if (query.holder.configuredAdmin !== null) return new Set(COMMAND_TYPES);
  const roles = [...effectiveRoles(query, null).roles];
  for (const grant of query.grants)
    if (grant.workflow !== null && holds(query.holder, grant) && inScope(grant, query.channel, grant.workflow)) {
      const role = query.book.get(grant.role);
      if (role) roles.push(role);
    }
  return new Set(
    COMMAND_TYPES.filter(
      (type) => SELF_TYPES.has(type) || roles.some((role) => role.allow.some((p) => coversType(p, type))),
    ),
  );
}
