/**
 * What a platform knows about its people, groups and channels, asked when a grant names one
 * (README "Permissions"): a grant for an id the platform does not know is refused with one
 * sentence instead of being stored for nobody. Each chat front-end registers its directory when
 * it starts; a platform without one (the console) accepts any id.
 */
export type Lookup =
  /** The platform knows it; `name` is for replies only, never for identifying anyone. */
  | { found: true; name: string }
  | { found: false }
  /** The platform could not be asked (an API failure): the grant is refused with this reason. */
  | { error: string };

export interface Directory {
  /** A person, by the platform's user id (Slack `U…`/`W…`, a Discord snowflake). */
  user(id: string): Promise<Lookup>;
  /** A group, by id: a Slack user group (`S…`) or a Discord role (a snowflake). */
  group(id: string): Promise<Lookup>;
  /** A channel, by the platform's channel id. */
  channel(id: string): Promise<Lookup>;
}

/** The directories of the front-ends that run, by platform name (`slack`, `discord`). */
export class Directories {
  private readonly byPlatform = new Map<string, Directory>();

  register(platform: string, directory: Directory): () => void {
    this.byPlatform.set(platform, directory);
    return () => {
      if (this.byPlatform.get(platform) === directory) this.byPlatform.delete(platform);
    };
  }

  /** Null when no front-end of that platform runs here: its ids cannot be checked. */
  of(platform: string): Directory | null {
    return this.byPlatform.get(platform) ?? null;
  }
}
