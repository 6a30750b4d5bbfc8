import { SECRET_NAME } from "./secrets/secret-names.js";
import type { SecretsSettings } from "./secrets/secret-store.js";

/**
 * Baton's secrets: BATON_SECRET_<NAME> variables and BATON_SECRETS_FILE. src/config.ts calls this
 * with the environment it parsed; values are never shown in a problem, only variable names.
 */
const PREFIX = "BATON_SECRET_";

export function buildSecretsSettings(env: Readonly<Record<string, string>>): {
  settings: SecretsSettings;
  problems: string[];
} {
  const fromEnv: Record<string, string> = {};
  const problems: string[] = [];
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith(PREFIX)) continue;
    const name = variable.slice(PREFIX.length);
    if (SECRET_NAME.test(name)) fromEnv[name] = value;
    else
      problems.push(`${variable}: the name after ${PREFIX} must be letters, digits and _, not starting with a digit`);
  }
  const file = env.BATON_SECRETS_FILE?.trim() || null;
  return { settings: { file, fromEnv }, problems };
}
