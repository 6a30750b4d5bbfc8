import { z } from "zod";
import { DEFAULT_PORT } from "./config-http.js";

/** The Discord part of the environment schema; src/config.ts merges it and is still the only reader. */

const snowflake = (name: string) => z.string().regex(/^\d{15,22}$/, `expected a Discord ${name} id (digits only)`);

const flag = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "expected true or false" })
  .transform((value) => value === "true" || value === "1" || value === "yes");

export const DiscordEnvShape = {
  DISCORD_TOKEN: z.string().min(1).optional(),
  DISCORD_APPLICATION_ID: snowflake("application").optional(),
  DISCORD_GUILD_ID: snowflake("guild").optional(),
  DISCORD_API_URL: z.url({ message: "expected a URL such as https://discord.com/api" }).optional(),
  DISCORD_MESSAGE_CONTENT: flag.default(false),
  DISCORD_PUBLIC_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "expected the application's public key: 64 hexadecimal characters")
    .optional(),
};

const DiscordEnvObject = z.object(DiscordEnvShape);
type DiscordEnv = z.output<typeof DiscordEnvObject>;

export interface DiscordConfig {
  /** Bot token; null when only the HTTP interactions endpoint runs (no gateway connection). */
  token: string | null;
  applicationId: string;
  /** Commands are registered in this guild (they appear at once); otherwise globally. */
  guildId: string | null;
  /** REST base URL, e.g. https://discord.com/api; the gateway URL comes from GET /gateway/bot. */
  apiUrl: string | null;
  /** Ask for the privileged MessageContent intent (mentions and DMs carry content without it). */
  messageContent: boolean;
  /** Enables the HTTP interactions endpoint, which verifies Ed25519 signatures with this key. */
  publicKey: string | null;
  /** The one HTTP server's port (PORT), where /discord/interactions is served. */
  interactionsPort: number;
}

export function discordProblems(env: DiscordEnv): string[] {
  const enabled = env.DISCORD_TOKEN !== undefined || env.DISCORD_PUBLIC_KEY !== undefined;
  if (enabled && env.DISCORD_APPLICATION_ID === undefined) {
    return ["DISCORD_APPLICATION_ID: required with DISCORD_TOKEN or DISCORD_PUBLIC_KEY (the application's id)"];
  }
  return [];
}

/** Null when Discord is not configured. */
export function buildDiscordConfig(env: DiscordEnv & { PORT?: number | undefined }): DiscordConfig | null {
  if (env.DISCORD_APPLICATION_ID === undefined) return null;
  if (env.DISCORD_TOKEN === undefined && env.DISCORD_PUBLIC_KEY === undefined) return null;
  return {
    token: env.DISCORD_TOKEN ?? null,
    applicationId: env.DISCORD_APPLICATION_ID,
    guildId: env.DISCORD_GUILD_ID ?? null,
    apiUrl: env.DISCORD_API_URL ?? null,
    messageContent: env.DISCORD_MESSAGE_CONTENT,
    publicKey: env.DISCORD_PUBLIC_KEY?.toLowerCase() ?? null,
    interactionsPort: env.PORT ?? DEFAULT_PORT,
  };
}
