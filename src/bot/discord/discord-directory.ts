import { type Client, DiscordAPIError } from "discord.js";
import type { Directory, Lookup } from "../../commands/directory.js";

/** Unknown Channel, Unknown User, Unknown Role, Missing Access: Discord's way of saying "not that". */
const NOT_FOUND = new Set([10003, 10011, 10013, 50001]);

async function lookup(ask: () => Promise<{ name: string } | null>): Promise<Lookup> {
  try {
    const found = await ask();
    return found === null ? { found: false } : { found: true, name: found.name };
  } catch (error) {
    if (error instanceof DiscordAPIError && (NOT_FOUND.has(Number(error.code)) || error.status === 404))
      return { found: false };
    return { error: `Discord could not be asked (${error instanceof Error ? error.message : String(error)})` };
  }
}

/**
 * Discord's users, roles and channels, for grants that name them (README "Permissions"), through
 * the gateway client: roles and channels of the servers baton is in come from its cache (the
 * gateway sends them), users and uncached channels from the REST API.
 */
export class DiscordDirectory implements Directory {
  constructor(private readonly client: Client) {}

  user(id: string): Promise<Lookup> {
    return lookup(async () => {
      const user = await this.client.users.fetch(id);
      return { name: user.globalName ?? user.username };
    });
  }

  group(id: string): Promise<Lookup> {
    return lookup(async () => {
      for (const guild of this.client.guilds.cache.values()) {
        const role = guild.roles.cache.get(id);
        if (role) return { name: role.name };
      }
      return null;
    });
  }

  channel(id: string): Promise<Lookup> {
    return lookup(async () => {
      const channel = await this.client.channels.fetch(id);
      if (channel === null) return null;
      return { name: "name" in channel && typeof channel.name === "string" ? channel.name : id };
    });
  }
}
