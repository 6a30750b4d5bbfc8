import type { CommandType } from "./command-schemas.js";
import { COMMAND_SPECS, COMMAND_TYPES, SELF_TYPES } from "./commands.js";

/** Who asked, and where: everything the orchestrator needs to know about a request besides the Command. */
export interface Actor {
  /** The platform's user id; display names never identify anyone. */
  id: string;
  name: string;
  platform: string;
  /**
   * Platform groups the person is in, as group ids of this platform: Discord role ids from the
   * interaction's member data, Slack user groups looked up by the front-end.
   */
  groups?: readonly string[];
  /** Why the groups could not be read; group grants then deny, never allow. */
  groupError?: string;
  /** The installation's owner: the console and `baton say` without `--user` (an admin). */
  owner?: boolean;
  /**
   * The person behind this account once accounts are linked (`identity.link`): the account key
   * (`platform:id`) that grants, budgets, history, patterns and approvals are kept under.
   */
  person?: string;
  /** Every account linked to this person (`platform:id`), this one included; set once the policy identified them. */
  accounts?: readonly string[];
}

/** `platform:id`: how grants, links and approver lists name an account. */
export function accountOf(actor: Pick<Actor, "platform" | "id">): string {
  return `${actor.platform}:${actor.id}`;
}

/** This person's accounts: all that are linked, or this one alone. */
export function accountsOf(actor: Actor): readonly string[] {
  return actor.accounts ?? [accountOf(actor)];
}

/** The platforms' user ids of this person's accounts (`slack:U1` → `U1`), as budgets and runs name users. */
export function userIdsOf(actor: Actor): string[] {
  return accountsOf(actor).map((account) => account.slice(account.indexOf(":") + 1));
}

/** Whether a `platform`/`id` pair (a run's requester, a row's actor) is one of this person's accounts. */
export function isOneOf(actor: Actor, platform: string, id: string): boolean {
  const wanted = `${platform}:${id}`.toLowerCase();
  return accountsOf(actor).some((account) => account.toLowerCase() === wanted);
}

/** The key a person's things are kept under: their linked identity, else this account. */
export function personOf(actor: Actor): string {
  return actor.person ?? accountOf(actor);
}

export interface Origin {
  platform: string;
  workspace: string | null;
  channel: string | null;
  thread: string | null;
}

/** What the policy decided for this request, for handlers that narrow or filter by it. */
export interface Permission {
  /** The command types this actor may run here in some form (help lists them). */
  permitted: ReadonlySet<CommandType>;
  /** execution.cancel allowed only for runs this person started (operators). */
  ownRunsOnly: boolean;
  /** The roles that decided. */
  roles: readonly string[];
}

export interface RequestContext {
  actor: Actor;
  origin: Origin;
  permission: Permission;
  /** This request's own audit row, which `history` leaves out while it is still open. */
  auditId?: number;
}

/** Everything, for work baton does on its own behalf (a schedule an admin created fires). */
export const ADMIN_PERMISSION: Permission = Object.freeze({
  permitted: new Set(COMMAND_TYPES),
  ownRunsOnly: false,
  roles: ["admin"],
});

/** The read commands alone: what a person sees before any grant (the built-in viewer role). */
export const VIEWER_PERMISSION: Permission = Object.freeze({
  permitted: new Set(COMMAND_TYPES.filter((type) => COMMAND_SPECS[type].access === "read" || SELF_TYPES.has(type))),
  ownRunsOnly: false,
  roles: ["viewer"],
});
