/**
 * Splits the arguments of an `/orchestrate` message into tokens. Shell-like quoting, but forgiving
 * of apostrophes: a quote only opens at the start of a token or right after `key=`, so
 * `what's running?` stays three plain words.
 */

/** `raw` is the token exactly as typed (quotes included); `text` is what it means. */
export type Token =
  | { kind: "word"; text: string; quoted: boolean; raw: string }
  | { kind: "pair"; key: string; value: string; raw: string }
  | { kind: "channel"; text: string; name: string; raw: string; label?: string }
  | { kind: "user"; text: string; name: string; raw: string; label?: string };

export type Pair = Extract<Token, { kind: "pair" }>;
export type Positional = Exclude<Token, Pair>;
export type TokenizeResult = { ok: true; tokens: Token[] } | { ok: false; message: string };

type Reference = Extract<Token, { kind: "channel" | "user" }>;
type Read = { ok: true; token: Token; end: number } | { ok: false; message: string };

export const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Opening quote → closing quote. Curly quotes are what Slack and macOS send after autocorrect. */
const QUOTES: ReadonlyMap<string, string> = new Map([
  ['"', '"'],
  ["'", "'"],
  ["“", "”"],
  ["‘", "’"],
]);

/**
 * Slack writes mentions as `<#C123|ops>` and `<@U123>`, Discord as `<#123>` and `<@!123>`.
 * @see https://api.slack.com/reference/surfaces/formatting#retrieving-messages
 */
const MENTION = /^<([#@])!?([A-Za-z0-9]+)(?:\|([^>]*))?>$/;

export function tokenize(input: string): TokenizeResult {
  const tokens: Token[] = [];
  let at = skipSpace(input, 0);
  while (at < input.length) {
    const read = readToken(input, at);
    if (!read.ok) return read;
    tokens.push(read.token);
    at = skipSpace(input, read.end);
  }
  return { ok: true, tokens };
}

/** Recognises `#ops`, `@ada`, `<#C123|ops>` and `<@U123>`; `name` is the bare id or name. */
export function parseReference(text: string): Reference | undefined {
  const mention = MENTION.exec(text);
  if (mention?.[1] !== undefined && mention[2] !== undefined) {
    const kind = mention[1] === "#" ? "channel" : "user";
    const label = mention[3] ? { label: mention[3] } : {};
    return { kind, text, name: mention[2], raw: text, ...label };
  }
  if (text.length < 2) return undefined;
  if (text.startsWith("#")) return { kind: "channel", text, name: text.slice(1), raw: text };
  if (text.startsWith("@")) return { kind: "user", text, name: text.slice(1), raw: text };
  return undefined;
}

/** What a token says in free text: quotes removed, key=value pairs as typed. */
export function tokenText(token: Token): string {
  return token.kind === "pair" ? token.raw : token.text;
}

/** The free-text tail of a command, e.g. an approval note or a question. */
export function joinTokens(tokens: readonly Token[]): string {
  return tokens.map(tokenText).join(" ");
}

function readToken(input: string, start: number): Read {
  let text = "";
  let quoted = false;
  let equals = -1;
  let at = start;
  while (at < input.length && !isSpace(input.charAt(at))) {
    const char = input.charAt(at);
    const close = QUOTES.get(char);
    if (close !== undefined && (text === "" || text.length === equals + 1)) {
      const quote = readQuoted(input, at, close);
      if (quote === undefined) return { ok: false, message: unterminated(input, at) };
      text += quote.text;
      quoted = true;
      at = quote.end;
      continue;
    }
    if (char === "=" && equals < 0 && !quoted) equals = text.length;
    text += char;
    at += 1;
  }
  return { ok: true, token: classify(text, quoted, equals, input.slice(start, at)), end: at };
}

/** Returns the unquoted text and the index just past the closing quote, or undefined if it never closes. */
function readQuoted(input: string, open: number, close: string): { text: string; end: number } | undefined {
  let text = "";
  for (let at = open + 1; at < input.length; at += 1) {
    const char = input.charAt(at);
    if (close === '"' && char === "\\") {
      at += 1;
      if (at >= input.length) return undefined;
      text += input.charAt(at);
    } else if (char === close && closesHere(input, at, close)) {
      return { text, end: at + 1 };
    } else {
      text += char;
    }
  }
  return undefined;
}

/** A straight single quote closes only before whitespace, so `'don't stop'` keeps its apostrophe. */
function closesHere(input: string, at: number, close: string): boolean {
  return close !== "'" || at + 1 >= input.length || isSpace(input.charAt(at + 1));
}

function classify(text: string, quoted: boolean, equals: number, raw: string): Token {
  const key = text.slice(0, Math.max(equals, 0));
  if (equals > 0 && KEY_PATTERN.test(key)) return { kind: "pair", key, value: text.slice(equals + 1), raw };
  const reference = quoted ? undefined : parseReference(text);
  return reference ? { ...reference, raw } : { kind: "word", text, quoted, raw };
}

function unterminated(input: string, at: number): string {
  const rest = input.slice(at);
  const snippet = rest.length > 30 ? `${rest.slice(0, 30)}…` : rest;
  return `There is an unterminated quote in \`${snippet}\`.`;
}

function skipSpace(input: string, from: number): number {
  let at = from;
  while (at < input.length && isSpace(input.charAt(at))) at += 1;
  return at;
}

function isSpace(char: string): boolean {
  return /\s/.test(char);
}
