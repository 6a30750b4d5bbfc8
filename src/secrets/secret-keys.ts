/**
 * Which key names hold secrets. A key is compared without case and without the separators people
 * use (`_`, `-`, `.`, spaces), so `API_KEY`, `api-key`, `apiKey` and `api.key` are one name.
 * Counts such as `inputTokens` or `maxTokens` are not secrets (a plural `tokens` is left alone).
 */
const SECRET_WORDS =
  /password|passwd|passphrase|pwd|secret|credential|apikey|privatekey|accesskey|sessionkey|authorization|cookie|token(?!s)/;
/** `auth`, `basicauth`, `auth_token`, `authKey`, but not `author`. */
const AUTH_WORD = /^auth(?!or)|auth$/;
const EXACT = new Set(["pass", "pin", "otp"]);

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[\s_.-]+/g, "");
}

export function isSecretKey(key: string): boolean {
  if (key.length > 200) return false;
  const name = normalizeKey(key);
  return EXACT.has(name) || SECRET_WORDS.test(name) || AUTH_WORD.test(name);
}
