import type { webApi } from "@slack/bolt";
import type { Logger } from "../../logger.js";

const MAX_CACHED = 5000;

/**
 * Slack user id → display name, for the audit log and replies. Events carry only the id; one
 * users.info per person, cached. A failed lookup falls back to the id rather than failing the request.
 */
export class UserNames {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly logger: Logger,
  ) {}

  private remember(id: string, name: string): void {
    if (this.names.size >= MAX_CACHED) this.names.clear();
    this.names.set(id, name);
  }

  /** `fallback` (a payload's username) when Slack cannot tell the display name. */
  async nameOf(id: string, fallback?: string): Promise<string> {
    const cached = this.names.get(id);
    if (cached) return cached;
    try {
      const { user } = await this.client.users.info({ user: id });
      const name = user?.profile?.display_name || user?.profile?.real_name || user?.real_name || user?.name || id;
      this.remember(id, name);
      return name;
    } catch (error) {
      this.logger.warn("could not look up a slack user's name", { user: id, error });
      return fallback ?? id;
    }
  }
}
