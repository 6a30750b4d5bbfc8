import { hasSecretShape } from "../redact.js";
import { isSecretKey } from "./secret-keys.js";

/**
 * A workflow definition is stored and shown (workflow versions, `show`, proposals), so it must not
 * hold a secret in clear: a field under a secret key with a literal value, or a token shape
 * anywhere (a URL with a password included). It names a baton secret instead.
 */
export function literalSecretProblem(field: readonly (string | number)[], text: string): string | undefined {
  const key = field.at(-1);
  const literalUnderSecretKey = typeof key === "string" && isSecretKey(key) && text !== "" && !text.includes("{{");
  if (!literalUnderSecretKey && !hasSecretShape(text)) return undefined;
  return "holds a secret in clear; store it as a baton secret (`BATON_SECRET_NAME` or the BATON_SECRETS_FILE) and write `{{ secrets.NAME }}` here instead";
}
