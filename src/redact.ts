/**
 * Secrets people paste into chat must not reach the audit log. Each pattern is a token shape a
 * platform documents; the match is replaced by a label so the row still reads sensibly.
 */
const PATTERNS: ReadonlyArray<[label: string, pattern: RegExp]> = [
  // https://api.slack.com/authentication/token-types — xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe- and app-level xapp-
  ["slack-token", /\bxox[abeoprs]-(?:\d+-)?[A-Za-z0-9-]{8,}/g],
  ["slack-token", /\bxapp-\d-[A-Za-z0-9-]{8,}/g],
  ["slack-webhook", /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g],
  // Anthropic keys start sk-ant-; OpenAI keys sk-, sk-proj-, sk-svcacct-.
  ["anthropic-key", /\bsk-ant-[A-Za-z0-9_-]{16,}/g],
  ["openai-key", /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g],
  // Discord bot tokens: base64(user id) . timestamp . hmac
  ["discord-token", /\b[MNO][A-Za-z0-9_-]{22,27}\.[A-Za-z0-9_-]{5,7}\.[A-Za-z0-9_-]{25,40}/g],
  ["github-token", /\bgh[pousr]_[A-Za-z0-9]{30,}/g],
  ["aws-key", /\bAKIA[0-9A-Z]{16}\b/g],
  ["bearer-token", /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi],
  // After "Authorization:" any Basic credential goes; elsewhere only a base64 shape (a digit, '+',
  // '/' or '=' somewhere), so "run the basic healthcheck" stays as typed.
  ["basic-auth", /(?<=authorization:?\s*)(Basic)\s+[A-Za-z0-9+/]{4,}={0,2}/gi],
  ["basic-auth", /\b(Basic)\s+(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{8,}={0,2}/gi],
  ["url-credentials", /(?<=[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+(?=@)/gi],
];

/** key=value and key: value for keys that name a secret. The bounded prefix keeps matching linear. */
const SECRET_ASSIGNMENT =
  /\b((?:[A-Za-z0-9_-]{0,40}?(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret))["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)/gi;

export function redactSecrets(text: string): string {
  let result = text.replace(SECRET_ASSIGNMENT, (_match, prefix: string) => `${prefix}[REDACTED]`);
  for (const [label, pattern] of PATTERNS) {
    // For the patterns with a group, the first extra argument is the scheme word kept in the output.
    result = result.replace(pattern, (_match, scheme: unknown) =>
      typeof scheme === "string" ? `${scheme} [REDACTED:${label}]` : `[REDACTED:${label}]`,
    );
  }
  return result;
}

/** Redact every string inside a JSON-like value (the resolved Command stored beside the text). */
export function redactValue<T>(value: T): T {
  if (typeof value === "string") return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactValue(item)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v)])) as T;
  }
  return value;
}
