import { type AccessDecision, allowedTypes, decideAccess, type Holder } from "../../commands/access/evaluate.js";
import type { Grant } from "../../commands/access/grants.js";
import type { RoleBook } from "../../commands/access/roles.js";
import type { Command, CommandType } from "../../commands/commands.js";
import { type Actor, accountOf } from "../../commands/context.js";
import type { GrantRepository, NewGrant } from "../../db/repositories/grant-repository.js";
import type { IdentityRepository } from "../../db/repositories/identity-repository.js";
import type { TokenRepository } from "../../db/repositories/token-repository.js";
import { hashToken, TOKEN_PREFIX } from "./token-handlers.js";

export interface AccessServiceDeps {
  grants: GrantRepository;
  /** Personal API tokens (migration 0011); a token acts as the account that made it. */
  tokens?: TokenRepository;
  identities: IdentityRepository;
  book: RoleBook;
  /** BATON_ADMINS: `platform:userId` or a bare user id (any platform). */
  admins: readonly string[];
  /** The approver lists of approvals waiting now, for the `group:` entries a platform must look up. */
  waitingApprovers?: () => Promise<ReadonlyArray<readonly string[]>>;
}

/** Where a request is asked: the platform's channel id (null outside channels). */
export interface Place {
  channel: string | null;
}

/** The person behind a request: their accounts, groups and the person key links keep them under. */
export interface Identified {
  actor: Actor;
  holder: Holder;
  /** Every grant, read once per request: the decision, help and the router's tools share them. */
  grants: readonly Grant[];
}

/** Start-up logs it once and status repeats it while it holds. */
export const NO_ADMIN_WARNING =
  'no baton admin can act from Slack or Discord: everyone there is a viewer until BATON_ADMINS names an admin or an admin is granted (README "Permissions")';

const lower = (value: string) => value.toLowerCase();

/**
 * Who may do what, where (README "Permissions"): reads grants and identity links, and answers
 * with `decideAccess`. The dispatcher asks it before any handler runs (DESIGN.md step 3).
 */
export class AccessService {
  private readonly admins: ReadonlySet<string>;

  constructor(private readonly deps: AccessServiceDeps) {
    this.admins = new Set(deps.admins.map(lower));
  }

  get book(): RoleBook {
    return this.deps.book;
  }

  /** BATON_ADMINS as configured: admins whom no grant can narrow. */
  get configuredAdmins(): readonly string[] {
    return this.deps.admins;
  }

  /** The actor with their person key, and the holder the policy evaluates. */
  async identify(actor: Actor): Promise<Identified> {
    const account = accountOf(actor);
    const person = await this.deps.identities.personOf(account);
    const [accounts, grants] = await Promise.all([
      person === null ? [account] : this.deps.identities.accountsOf(person),
      this.deps.grants.all(),
    ]);
    const groups = (actor.groups ?? []).map((group) => `${actor.platform}:${group}`);
    const holder: Holder = {
      accounts,
      groups,
      groupError: actor.groupError ?? null,
      groupPlatforms: [actor.platform],
      configuredAdmin: this.configuredAdmin(actor, accounts),
    };
    return { actor: person === null ? actor : { ...actor, person, accounts }, holder, grants };
  }

  /**
   * The person a bearer token acts as (their account, with the token's number), recording the
   * use; null for anything that is not a live token. Roles are looked up per request as usual.
   */
  async authenticateToken(token: string, now: Date): Promise<{ actor: Actor; tokenId: number } | null> {
    if (!this.deps.tokens || !token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    const record = await this.deps.tokens.findActive(hashToken(token));
    if (record === null) return null;
    await this.deps.tokens.touch(record.id, now);
    const at = record.account.indexOf(":");
    const platform = record.account.slice(0, at);
    const id = record.account.slice(at + 1);
    const actor: Actor = { platform, id, name: record.actorName, ...(record.owner && { owner: true }) };
    return { actor, tokenId: record.id };
  }

  /** The owner at the console, or an account BATON_ADMINS lists (by `platform:id` or bare id). */
  private configuredAdmin(actor: Actor, accounts: readonly string[]): Holder["configuredAdmin"] {
    if (actor.owner === true && actor.platform === "console") return "owner";
    const listed = accounts.some((account) => {
      const id = account.slice(account.indexOf(":") + 1);
      return this.admins.has(lower(account)) || this.admins.has(lower(id));
    });
    return listed ? "BATON_ADMINS" : null;
  }

  async decide(command: Command, who: Identified, place: Place): Promise<AccessDecision> {
    return decideAccess(
      { book: this.deps.book, grants: await this.grants(), holder: who.holder, channel: place.channel },
      command,
    );
  }

  async permitted(who: Identified, place: Place): Promise<Set<CommandType>> {
    return allowedTypes({
      book: this.deps.book,
      grants: await this.grants(),
      holder: who.holder,
      channel: place.channel,
    });
  }

  /**
   * The group ids of one platform that grants and waiting approvals name (`group:slack:S1`, and an
   * approver's `group:S1` or `group:slack:S1`): the only groups a front-end has to look up.
   */
  async groupsNamed(platform: string): Promise<string[]> {
    const prefix = `${platform}:`.toLowerCase();
    const fromGrants = (await this.grants()).flatMap((grant) =>
      grant.subject.kind === "group" && grant.subject.group.toLowerCase().startsWith(prefix)
        ? [grant.subject.group.slice(prefix.length)]
        : [],
    );
    const fromApprovals = ((await this.deps.waitingApprovers?.()) ?? []).flat().flatMap((entry) => {
      const written = entry.replace(/^@/, "");
      if (!written.toLowerCase().startsWith("group:")) return [];
      const group = written.slice("group:".length);
      if (group.toLowerCase().startsWith(prefix)) return [group.slice(prefix.length)];
      return group.includes(":") ? [] : [group];
    });
    return [...new Set([...fromGrants, ...fromApprovals])];
  }

  grants(): Promise<Grant[]> {
    return this.deps.grants.all();
  }

  /** Stores a grant; false when the subject already holds that role there. */
  addGrant(grant: NewGrant): Promise<boolean> {
    return this.deps.grants.add(grant);
  }

  /** Removes a grant; false when there was none. */
  removeGrant(grant: Omit<NewGrant, "grantedBy" | "grantedAt">): Promise<boolean> {
    return this.deps.grants.remove(grant);
  }

  /** Who can grant roles: BATON_ADMINS and everyone granted admin everywhere. */
  async adminAccounts(): Promise<string[]> {
    const granted = (await this.deps.grants.all())
      .filter((grant) => grant.role === "admin" && grant.channel === null && grant.workflow === null)
      .map((grant) => (grant.subject.kind === "person" ? grant.subject.account : `group:${grant.subject.group}`));
    return [...new Set([...this.deps.admins, ...granted])];
  }

  /** Whether anyone can administer baton from a platform (start-up warns when nobody can). */
  async platformAdminExists(): Promise<boolean> {
    return (await this.adminAccounts()).length > 0;
  }

  /** One sentence for a refusal: the role that would allow it, and who can grant it. */
  async refusal(command: Command, decision: Extract<AccessDecision, { allowed: false }>): Promise<string> {
    if (decision.groupError !== null)
      return `You may not run \`${command.type}\` here: ${decision.groupError}, so group grants cannot be checked and baton denies rather than guesses; try again shortly.`;
    const needed = decision.wouldAllow.find((name) => name !== "admin") ?? decision.wouldAllow[0] ?? "admin";
    const have = decision.roles.length > 0 ? ` and you are ${article(decision.roles.join(", "))}` : "";
    const admins = (await this.adminAccounts()).slice(0, 3);
    const who =
      admins.length > 0
        ? `ask an admin (${admins.join(", ")})`
        : "ask the installation's owner to name admins in BATON_ADMINS";
    return `You may not run \`${command.type}\` here: it needs the ${needed} role${have}; ${who}.`;
  }
}

function article(role: string): string {
  return /^[aeiou]/i.test(role) ? `an ${role}` : `a ${role}`;
}
