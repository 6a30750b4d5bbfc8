import type { webApi } from "@slack/bolt";
import type { Clock } from "../../clock.js";
import type { Logger } from "../../logger.js";
import { slackReason } from "./slack-directory.js";

/** How long a group's members are trusted before Slack is asked again. */
export const USER_GROUP_TTL_MS = 60_000;
/** A policy names a handful of groups; more than this is a misconfiguration, not a reason to flood Slack. */
const MAX_GROUPS = 50;

/** A user's groups as the policy reads them: ids, or why they could not be read (group grants then deny). */
export type UserGroupAnswer = { groups: string[] } | { groupError: string };

interface Cached {
  users: ReadonlySet<string>;
  at: number;
}

/**
 * Which Slack user groups (`S…`) a person is in, for grants and approver lists that name a group.
 * Only the groups the policy names are asked about, each with `usergroups.users.list` (scope
 * `usergroups:read`), cached for a minute; a failed lookup is an answer of its own, never a guess.
 */
export class SlackUserGroups {
  private readonly cache = new Map<string, Cached>();
  private readonly inFlight = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(
    private readonly deps: {
      client: webApi.WebClient;
      /** The Slack group ids grants and waiting approvals name. */
      named: () => Promise<readonly string[]>;
      clock: Clock;
      logger: Logger;
      ttlMs?: number;
    },
  ) {}

  async of(user: string): Promise<UserGroupAnswer> {
    let named: readonly string[];
    try {
      named = (await this.deps.named()).slice(0, MAX_GROUPS);
    } catch (error) {
      this.deps.logger.warn("could not read which slack user groups grants name", { error });
      return { groupError: "baton could not read which Slack user groups its grants name" };
    }
    const answers = await Promise.allSettled(named.map((group) => this.members(group)));
    const failed = answers.findIndex((answer) => answer.status === "rejected");
    if (failed !== -1) {
      const reason = (answers[failed] as PromiseRejectedResult).reason;
      return { groupError: `Slack did not say who is in user group ${named[failed]} (${slackReason(reason)})` };
    }
    return {
      groups: named.filter((_group, i) => (answers[i] as PromiseFulfilledResult<ReadonlySet<string>>).value.has(user)),
    };
  }

  private members(group: string): Promise<ReadonlySet<string>> {
    const cached = this.cache.get(group);
    const now = this.deps.clock.now().getTime();
    if (cached && now - cached.at < (this.deps.ttlMs ?? USER_GROUP_TTL_MS)) return Promise.resolve(cached.users);
    const pending = this.inFlight.get(group);
    if (pending) return pending;
    const asked = this.ask(group, now).finally(() => this.inFlight.delete(group));
    this.inFlight.set(group, asked);
    return asked;
  }

  private async ask(group: string, now: number): Promise<ReadonlySet<string>> {
    try {
      const answer = await this.deps.client.usergroups.users.list({ usergroup: group });
      const users = new Set(answer.users ?? []);
      this.cache.set(group, { users, at: now });
      return users;
    } catch (error) {
      const code = slackReason(error);
      this.deps.logger.warn("could not read a slack user group's members", { group, error: code });
      // A group Slack does not have (deleted since it was granted) has no members: a definite answer.
      if (code !== "no_such_subteam") throw error;
      const nobody = new Set<string>();
      this.cache.set(group, { users: nobody, at: now });
      return nobody;
    }
  }
}
