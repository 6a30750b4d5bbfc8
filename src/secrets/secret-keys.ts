/**
 * Which key names hold secrets: one case-insensitive pattern over the key as written, so
 * `API_KEY`, `api-key`, `apiKey` and `api.key` are one name, `DB_Password` and `x-auth-token` count,
 * and counts such as `inputTokens` or `maxTokens` do not (a plural `tokens` is left alone). It
 * runs for every key of every stored object, so it is a single test, not a normalise-then-match.
 */
const SECRET_KEY =
  /pass(?:word|wd|phrase)|pwd|secret|credential|(?:api|private|access|session)[\s_.-]*key|authorization|cookie|token(?!s)|^auth(?!or)|auth$|^(?:pass|pin|otp)$/i;

export function isSecretKey(key: string): boolean {
  return key.length <= 200 && SECRET_KEY.test(key);
}
