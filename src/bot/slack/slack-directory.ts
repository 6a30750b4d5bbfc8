import type { webApi } from "@slack/bolt";
import type { Directory, Lookup } from "../../commands/directory.js";
import { slackErrorCode } from "./slack-writer.js";

/** Slack's error code for a refused call (`user_not_found`), or the transport's message. */
export function slackReason(error: unknown): string {
  return slackErrorCode(error) ?? (error instanceof Error ? error.message : String(error));
}

async function lookup<T>(
  ask: () => Promise<T>,
  name: (answer: T) => string,
  missing: readonly string[],
): Promise<Lookup> {
  try {
    return { found: true, name: name(await ask()) };
  } catch (error) {
    const code = slackReason(error);
    return missing.includes(code) ? { found: false } : { error: `Slack answered ${code}` };
  }
}

/**
 * Slack's people, user groups and channels, for grants that name them (README "Permissions"):
 * `users.info`, `usergroups.users.list` and `conversations.info` (scopes users:read,
 * usergroups:read, channels:read and groups:read).
 */
export class SlackDirectory implements Directory {
  constructor(private readonly client: webApi.WebClient) {}

  user(id: string): Promise<Lookup> {
    return lookup(
      () => this.client.users.info({ user: id }),
      (answer) => answer.user?.profile?.display_name || answer.user?.name || id,
      ["user_not_found", "invalid_arguments"],
    );
  }

  group(id: string): Promise<Lookup> {
    return lookup(
      () => this.client.usergroups.users.list({ usergroup: id }),
      () => id,
      ["no_such_subteam"],
    );
  }

  channel(id: string): Promise<Lookup> {
    return lookup(
      () => this.client.conversations.info({ channel: id }),
      (answer) => answer.channel?.name ?? id,
      ["channel_not_found"],
    );
  }
}
