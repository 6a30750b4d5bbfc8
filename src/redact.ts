import { isSecretKey } from "./secrets/secret-keys.js";
import { redactPrivateKeys, redactUrlCredentials } from "./secrets/text-scanners.js";

/**
 * Secrets must not reach storage, logs or replies. A string is redacted by the token shapes a
 * platform documents (the match becomes a label, so the text still reads sensibly); a value inside
 * an object is also redacted by its key's name (`password`, `api_key`, `authToken`…, any depth).
 *
 * Every pattern here runs in linear time on hostile text (npm run bench:input): no lookbehind over
 * more than one character, no lazy run to a far delimiter, and a whitespace run that two
 * quantifiers could share taken whole with `(?=([ \t]*))\N` (an atomic group: matched once,
 * never given back character by character).
 * Shapes that need more than that are hand-rolled scanners (text-scanners.ts).
 */

export const REDACTED = "[REDACTED]";

const PATTERNS: ReadonlyArray<[label: string, pattern: RegExp]> = [
  // https://api.slack.com/authentication/token-types — xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe- and app-level xapp-
  ["slack-token", /\bxox[abeoprs]-[A-Za-z0-9-]{8,}/g],
  ["slack-token", /\bxapp-\d-[A-Za-z0-9-]{8,}/g],
  ["slack-webhook", /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g],
  // Anthropic keys start sk-ant-; OpenAI keys sk-, sk-proj-, sk-svcacct-, sk-admin- (all inside the class).
  ["anthropic-key", /\bsk-ant-[A-Za-z0-9_-]{16,}/g],
  ["openai-key", /\bsk-[A-Za-z0-9_-]{20,}/g],
  // Discord bot tokens: base64(user id) . timestamp . hmac (every part bounded).
  ["discord-token", /\b[MNO][A-Za-z0-9_-]{22,27}\.[A-Za-z0-9_-]{5,7}\.[A-Za-z0-9_-]{25,40}/g],
  // https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/ and fine-grained github_pat_
  ["github-token", /\bgh[pousr]_[A-Za-z0-9]{30,}/g],
  ["github-token", /\bgithub_pat_[A-Za-z0-9_]{22,}/g],
  // AWS access key ids: AKIA (long-term), ASIA (STS temporary) and the other documented prefixes.
  ["aws-key", /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[0-9A-Z]{16}\b/g],
  // baton's own personal API tokens (src/orchestrator/access/token-handlers.ts).
  ["baton-token", /\bbaton_[A-Za-z0-9_-]{40,}/g],
  ["bearer-token", /\b(Bearer)(?=([ \t]+))\2[A-Za-z0-9._~+/=-]{8,}/gi],
  // After "Authorization" any Basic credential goes; elsewhere only a base64 shape (a digit, '+',
  // '/' or '=' somewhere), so "run the basic healthcheck" stays as typed.
  ["basic-auth", /\b(authorization(?=([ \t]*))\2:?(?=([ \t]*))\3Basic)(?=([ \t]+))\4[A-Za-z0-9+/]{4,}={0,2}/gi],
  ["basic-auth", /\b(Basic)(?=([ \t]+))\2(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{8,}={0,2}/gi],
];

/**
 * key=value and key: value for keys that name a secret (the key, and how it was written, stay).
 * The key word is matched where it ends the key (`db_password=`, `GITHUB_TOKEN:`), with no lazy
 * prefix in front of it, so each occurrence costs one scan of its value; the whitespace runs on
 * either side of `=`/`:` are apart (the sign sits between them), so they never split one run.
 */
const SECRET_ASSIGNMENT =
  /(password|passwd|passphrase|pwd|secret(?:[_.-]?key)?|token|api[_.-]?key|access[_.-]?key|private[_.-]?key|session[_.-]?key|credentials?|authorization|auth|cookie)(["']?[ \t]*[=:][ \t]*(?:(?:Bearer|Basic|Token)[ \t]+)?)("[^"]*"|'[^']*'|[^\s,;&"']+)/gi;

/**
 * A bare AWS secret access key: exactly 40 characters of base64 standing alone, mixing upper
 * case, lower case and digits (a 40-character hex commit id does not).
 */
const BARE_AWS_SECRET = /(?<![A-Za-z0-9/+._:-])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=._-])/g;

export function redactSecrets(text: string): string {
  let result = text.replace(SECRET_ASSIGNMENT, `$1$2${REDACTED}`);
  result = redactPrivateKeys(result, "[REDACTED:private-key]");
  result = redactUrlCredentials(result, "[REDACTED:url-credentials]");
  for (const [label, pattern] of PATTERNS) {
    // For the patterns with a group, the first extra argument is the scheme word kept in the output.
    result = result.replace(pattern, (_match, scheme: unknown) =>
      typeof scheme === "string" ? `${scheme} [REDACTED:${label}]` : `[REDACTED:${label}]`,
    );
  }
  return result.replace(BARE_AWS_SECRET, (match) => (looksRandom(match) ? "[REDACTED:aws-secret-key]" : match));
}

function looksRandom(candidate: string): boolean {
  return /[A-Z]/.test(candidate) && /[a-z]/.test(candidate) && /[0-9]/.test(candidate) && !candidate.startsWith("/");
}

/** Whether a string carries something redactSecrets would remove. */
export function hasSecretShape(text: string): boolean {
  return redactSecrets(text) !== text;
}

/**
 * Redacts every string inside a JSON-like value (commands, step inputs and outputs, event payloads):
 * by shape everywhere, and wholly when its key names a secret. Only plain objects and arrays are
 * walked; dates and other instances pass through unchanged.
 */
export function redactValue<T>(value: T): T {
  return redactAt(value, false) as T;
}

function redactAt(value: unknown, secretKey: boolean): unknown {
  if (typeof value === "string") return secretKey ? redactSecretString(value) : redactSecrets(value);
  if (Array.isArray(value)) return value.map((item) => redactAt(item, secretKey));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactAt(item, isSecretKey(key))]));
  }
  return value;
}

const SHAPE_ONLY = /^(?:(?:Bearer|Basic|Token) )?\[REDACTED:[a-z-]+\]$/i;

/** A value under a secret key: nothing of it stays, except a recognised shape's label. */
function redactSecretString(value: string): string {
  if (value === "" || isSecretReference(value)) return value;
  const shaped = redactSecrets(value);
  return SHAPE_ONLY.test(shaped) ? shaped : REDACTED;
}

const SECRET_PLACEHOLDER = /\{\{\s*secrets\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}/g;

/**
 * `Bearer {{ secrets.API_TOKEN }}` names a secret without holding it: a template is kept as
 * written, so stored step inputs and definitions show which secret a step uses.
 */
export function isSecretReference(value: string): boolean {
  if (value.length > 10_000 || !value.includes("{{")) return false;
  const rest = value.replace(SECRET_PLACEHOLDER, "").trim();
  return rest !== value.trim() && /^(?:(?:Bearer|Basic|Token)\s*)?$/i.test(rest);
}

/** Whether a value holds a secret by key name (a non-empty string under one) or by shape. */
export function containsSecret(value: unknown): boolean {
  return JSON.stringify(redactValue(value)) !== JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
