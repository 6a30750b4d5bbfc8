import { BatonError } from "../../errors.js";

/**
 * Tokenizer and recursive-descent parser for the workflow expression language (see `expression.ts`).
 * Nothing here evaluates source text: it only builds a plain-data AST.
 */

/** Longer sources are refused before tokenizing, so hostile input stays cheap to reject. */
export const MAX_EXPRESSION_LENGTH = 2000;
/** Deepest nesting of `not`, parentheses and lists; keeps the recursive parser and evaluator far from the stack limit. */
export const MAX_EXPRESSION_DEPTH = 50;

export type Literal = null | boolean | number | string;
export type ComparisonOperator = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in";

export interface PathExpression {
  kind: "path";
  /** Dotted form with `[0]` written as `.0`, e.g. `steps.check.output.results.0.status`. */
  path: string;
  segments: string[];
  /** Written with a trailing `?`: a missing path reads as null instead of failing. */
  optional: boolean;
}

export type Expression =
  | { kind: "literal"; value: Literal }
  | { kind: "list"; items: Expression[] }
  | PathExpression
  | { kind: "not"; operand: Expression }
  | { kind: "and" | "or"; operands: Expression[] }
  | { kind: "compare"; operator: ComparisonOperator; left: Expression; right: Expression };

type Token =
  | { kind: "value"; text: string; position: number; value: Literal }
  | { kind: "path"; text: string; position: number; path: PathExpression }
  | { kind: "symbol" | "end"; text: string; position: number };

const WHITESPACE = /\s*/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][\w-]*/y;
const SEGMENT = /\.([\w-]+)/y;
const INDEX = /\[(\d+)\]/y;
const UNICODE_ESCAPE = /\\u([0-9a-fA-F]{4})/y;
/** Longest first, so `<=` wins over `<`. */
const SYMBOLS = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ","];
const WORDS = new Set(["and", "or", "not", "in"]);
const KEYWORDS = new Map<string, Literal>(Object.entries({ true: true, false: false, null: null }));
/** JSON's escapes plus `\'` and `\0`. */
const ESCAPES = new Map(
  Object.entries({ n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "0": "\0", "\\": "\\", "'": "'", '"': '"', "/": "/" }),
);
const COMPARISONS = new Map<string, ComparisonOperator>(
  (["==", "!=", "<", "<=", ">", ">=", "in"] as const).map((operator) => [operator, operator]),
);

/** Parses `source` into an AST; throws a BatonError (`expression_invalid`) naming the problem and its position. */
export function parseExpression(source: string): Expression {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    const problem = `Expression is ${source.length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}.`;
    throw new BatonError("expression_invalid", problem);
  }
  if (source.trim() === "") throw new BatonError("expression_invalid", "Expression is empty.");
  return new Parser(source).parse();
}

class Parser {
  private readonly tokens: Token[];
  private readonly end: Token;
  private index = 0;
  private depth = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
    this.end = { kind: "end", text: "", position: source.length };
  }

  parse(): Expression {
    const expression = this.parseOr();
    const token = this.peek();
    if (token.kind !== "end") throw syntaxError(`Unexpected ${quote(token.text)}`, token.position, this.source);
    return expression;
  }

  private parseOr(): Expression {
    return this.parseChain("or", ["or", "||"], () => this.parseAnd());
  }

  private parseAnd(): Expression {
    return this.parseChain("and", ["and", "&&"], () => this.parseComparison());
  }

  /** `and`/`or` chains become one n-ary node, so a long chain does not make a deep tree. */
  private parseChain(kind: "and" | "or", symbols: string[], parseOperand: () => Expression): Expression {
    const first = parseOperand();
    const operands = [first];
    while (this.accept(symbols)) operands.push(parseOperand());
    return operands.length === 1 ? first : { kind, operands };
  }

  /** Comparisons do not chain: `1 < x < 3` is refused rather than read as `(1 < x) < 3`. */
  private parseComparison(): Expression {
    const left = this.parseUnary();
    const operator = this.acceptComparison();
    if (operator === undefined) return left;
    const right = this.parseUnary();
    const next = this.peek();
    if (this.comparisonAt(next) !== undefined) {
      throw syntaxError("Comparisons cannot be chained (join them with `and`)", next.position, this.source);
    }
    return { kind: "compare", operator, left, right };
  }

  /** `not` binds tighter than comparisons: `not a == b` is `(not a) == b`; write `a not in b` or `not (a in b)`. */
  private parseUnary(): Expression {
    const token = this.peek();
    if (!this.accept(["not", "!"])) return this.parsePrimary();
    return this.nested(token, () => ({ kind: "not", operand: this.parseUnary() }));
  }

  private parsePrimary(): Expression {
    const token = this.peek();
    if (token.kind === "value") return this.advance({ kind: "literal", value: token.value });
    if (token.kind === "path") return this.advance(token.path);
    if (token.kind === "symbol" && token.text === "(") return this.nested(token, () => this.parseGroup());
    if (token.kind === "symbol" && token.text === "[") return this.nested(token, () => this.parseList());
    const previous = this.tokens[this.index - 1];
    const problem = previous === undefined ? "Expected a value" : `Expected a value after ${quote(previous.text)}`;
    throw syntaxError(problem + found(token), token.position, this.source);
  }

  private parseGroup(): Expression {
    this.index += 1;
    const expression = this.parseOr();
    this.expect(")", "Expected `)`");
    return expression;
  }

  private parseList(): Expression {
    this.index += 1;
    const items: Expression[] = [];
    if (this.accept(["]"])) return { kind: "list", items };
    do items.push(this.parseOr());
    while (this.accept([","]));
    this.expect("]", "Expected `,` or `]`");
    return { kind: "list", items };
  }

  private nested(token: Token, parse: () => Expression): Expression {
    if (this.depth >= MAX_EXPRESSION_DEPTH) {
      throw syntaxError(`Expression nests deeper than ${MAX_EXPRESSION_DEPTH} levels`, token.position, this.source);
    }
    this.depth += 1;
    const expression = parse();
    this.depth -= 1;
    return expression;
  }

  private acceptComparison(): ComparisonOperator | undefined {
    const operator = this.comparisonAt(this.peek());
    if (operator !== undefined) this.index += operator === "not in" ? 2 : 1;
    return operator;
  }

  private comparisonAt(token: Token): ComparisonOperator | undefined {
    if (token.kind !== "symbol") return undefined;
    if (token.text !== "not") return COMPARISONS.get(token.text);
    const next = this.tokens[this.index + 1];
    return next?.kind === "symbol" && next.text === "in" ? "not in" : undefined;
  }

  private accept(symbols: string[]): boolean {
    const token = this.peek();
    if (token.kind !== "symbol" || !symbols.includes(token.text)) return false;
    this.index += 1;
    return true;
  }

  private expect(symbol: string, problem: string): void {
    const token = this.peek();
    if (!this.accept([symbol])) throw syntaxError(problem + found(token), token.position, this.source);
  }

  private advance(expression: Expression): Expression {
    this.index += 1;
    return expression;
  }

  private peek(): Token {
    return this.tokens[this.index] ?? this.end;
  }
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let position = skipWhitespace(source, 0);
  while (position < source.length) {
    const token = readToken(source, position);
    tokens.push(token);
    position = skipWhitespace(source, position + token.text.length);
  }
  return tokens;
}

function readToken(source: string, position: number): Token {
  const char = source[position];
  if (char === '"' || char === "'") return readString(source, position, char);
  const number = matchAt(NUMBER, source, position)?.[0];
  if (number !== undefined) return readNumber(source, position, number);
  const name = matchAt(NAME, source, position)?.[0];
  if (name !== undefined) return readWord(source, position, name);
  return readSymbol(source, position);
}

function readNumber(source: string, position: number, text: string): Token {
  const value = Number(text);
  if (!Number.isFinite(value)) throw syntaxError(`Number ${quote(text)} is too large`, position, source);
  return { kind: "value", text, position, value };
}

function readWord(source: string, position: number, name: string): Token {
  if (WORDS.has(name)) return { kind: "symbol", text: name, position };
  const keyword = KEYWORDS.get(name);
  if (keyword !== undefined) return { kind: "value", text: name, position, value: keyword };
  return readPath(source, position, name);
}

function readPath(source: string, start: number, name: string): Token {
  const segments = [name];
  let end = start + name.length;
  for (let segment = readSegment(source, end); segment !== undefined; segment = readSegment(source, end)) {
    segments.push(segment.name);
    end = segment.end;
  }
  const optional = source[end] === "?";
  const text = source.slice(start, optional ? end + 1 : end);
  return { kind: "path", text, position: start, path: { kind: "path", path: segments.join("."), segments, optional } };
}

/** One `.name`, `.0` or `[0]` after a path's first name; undefined where the path ends. */
function readSegment(source: string, position: number): { name: string; end: number } | undefined {
  const char = source[position];
  if (char !== "." && char !== "[") return undefined;
  const match = matchAt(char === "." ? SEGMENT : INDEX, source, position);
  if (match?.[1] === undefined) {
    if (char === "[") throw syntaxError("Expected a list index like `[0]`", position, source);
    throw syntaxError("Expected a name or index after `.`", position + 1, source);
  }
  return { name: match[1], end: position + match[0].length };
}

function readString(source: string, start: number, quoteChar: string): Token {
  let value = "";
  let position = start + 1;
  while (position < source.length && source[position] !== quoteChar) {
    const escaped = source[position] === "\\" ? readEscape(source, position) : undefined;
    value += escaped?.text ?? source[position];
    position = escaped?.end ?? position + 1;
  }
  if (position >= source.length) throw syntaxError("Unclosed string starting", start, source);
  return { kind: "value", text: source.slice(start, position + 1), position: start, value };
}

/** A backslash at the very end leaves the string unclosed. */
function readEscape(source: string, position: number): { text: string; end: number } | undefined {
  const next = source[position + 1];
  if (next === undefined) return undefined;
  const simple = ESCAPES.get(next);
  if (simple !== undefined) return { text: simple, end: position + 2 };
  const hex = matchAt(UNICODE_ESCAPE, source, position)?.[1];
  if (hex !== undefined) return { text: String.fromCharCode(Number.parseInt(hex, 16)), end: position + 6 };
  throw syntaxError(`Unknown escape ${quote(`\\${codePointAt(source, position + 1)}`)}`, position, source);
}

function readSymbol(source: string, position: number): Token {
  const text = SYMBOLS.find((symbol) => source.startsWith(symbol, position));
  if (text !== undefined) return { kind: "symbol", text, position };
  const char = codePointAt(source, position);
  const problem = char === "=" ? "Use `==` instead of `=`" : `Unexpected character ${quote(char)}`;
  throw syntaxError(problem, position, source);
}

function skipWhitespace(source: string, position: number): number {
  return position + (matchAt(WHITESPACE, source, position)?.[0].length ?? 0);
}

function matchAt(pattern: RegExp, source: string, position: number): RegExpExecArray | null {
  pattern.lastIndex = position;
  return pattern.exec(source);
}

function codePointAt(source: string, position: number): string {
  return String.fromCodePoint(source.codePointAt(position) ?? 0);
}

/** One sentence: the problem, then where (1-based position, or the end), then the source itself. */
function syntaxError(problem: string, position: number, source: string): BatonError {
  const where = position >= source.length ? "at the end of" : `at position ${position + 1} in`;
  return new BatonError("expression_invalid", `${problem} ${where} ${quote(source, 100)}.`);
}

function found(token: Token): string {
  return token.kind === "end" ? "" : `, found ${quote(token.text)}`;
}

/** Backtick-quoted, on one line, shortened so a 2000-character source does not flood the message. */
function quote(text: string, limit = 40): string {
  const line = text.replace(/[\r\n\t]/g, " ");
  return `\`${line.length > limit ? `${line.slice(0, limit - 1)}…` : line}\``;
}
