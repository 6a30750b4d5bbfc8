/**
 * The templates of a hook's command: `{{ body.a.b[0].c }}` reads the JSON body, `{{ headers.x-name }}`
 * a request header. Parsed once at start-up, resolved per request. Both are single left-to-right
 * scans with indexOf and character tests, no regular expressions: linear in the text, whatever a
 * sender puts in its body.
 */

export interface TemplateReference {
  source: "body" | "headers";
  /** Object keys and array indexes (body), or the one lower-cased header name. */
  path: ReadonlyArray<string | number>;
  /** As written between the braces, for problems. */
  written: string;
}

export type TemplatePart = string | TemplateReference;

export type ParsedTemplate = { parts: TemplatePart[] } | { error: string };

/** What a template reads from one request. */
export interface TemplateInput {
  body: unknown;
  header(name: string): string | undefined;
}

export type Resolved = { text: string } | { missing: string } | { notText: string };

const OPEN = "{{";
const CLOSE = "}}";

export function parseTemplate(text: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf(OPEN, at);
    if (open === -1) break;
    if (open > at) parts.push(text.slice(at, open));
    const close = text.indexOf(CLOSE, open + OPEN.length);
    if (close === -1) return { error: `"${OPEN}" at character ${open + 1} is never closed` };
    const reference = parseReference(text.slice(open + OPEN.length, close).trim());
    if (typeof reference === "string") return { error: reference };
    parts.push(reference);
    at = close + CLOSE.length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return { parts };
}

/** Whether a string holds a template at all (a constant needs no resolving). */
export function isConstant(parsed: { parts: TemplatePart[] }): boolean {
  return parsed.parts.every((part) => typeof part === "string");
}

export function resolveTemplate(parts: readonly TemplatePart[], input: TemplateInput): Resolved {
  let text = "";
  for (const part of parts) {
    if (typeof part === "string") {
      text += part;
      continue;
    }
    const value = part.source === "headers" ? input.header(String(part.path[0])) : lookup(input.body, part.path);
    if (value === undefined || value === null) return { missing: part.written };
    if (typeof value === "string") text += value;
    else if (typeof value === "number" || typeof value === "boolean") text += String(value);
    else return { notText: part.written };
  }
  return { text };
}

function lookup(value: unknown, path: ReadonlyArray<string | number>): unknown {
  let current = value;
  for (const key of path) {
    if (typeof key === "number") {
      if (!Array.isArray(current)) return undefined;
      current = current[key];
    } else {
      // Own keys of plain objects only: `{{ body.__proto__ }}` or `.constructor` read nothing.
      if (typeof current !== "object" || current === null || Array.isArray(current)) return undefined;
      if (!Object.hasOwn(current, key)) return undefined;
      current = (current as Record<string, unknown>)[key];
    }
  }
  return current;
}

function parseReference(written: string): TemplateReference | string {
  if (written.startsWith("headers.")) {
    const name = written.slice("headers.".length);
    if (name === "" || !allOf(name, isHeaderChar)) return `"{{ ${written} }}" is not a header name`;
    return { source: "headers", path: [name.toLowerCase()], written };
  }
  if (written !== "body" && !written.startsWith("body.") && !written.startsWith("body["))
    return `"{{ ${written} }}" reads nothing; write {{ body.field }} or {{ headers.name }}`;
  const path = parsePath(written.slice("body".length));
  return typeof path === "string" ? `"{{ ${written} }}": ${path}` : { source: "body", path, written };
}

/** `.a.b[0].c` → ["a", "b", 0, "c"], one character at a time. */
function parsePath(text: string): Array<string | number> | string {
  const path: Array<string | number> = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at];
    if (char === ".") {
      let end = at + 1;
      while (end < text.length && isKeyChar(text.charCodeAt(end))) end++;
      if (end === at + 1) return `a field name is expected after "." at character ${at + 1}`;
      path.push(text.slice(at + 1, end));
      at = end;
    } else if (char === "[") {
      let end = at + 1;
      while (end < text.length && isDigit(text.charCodeAt(end))) end++;
      if (end === at + 1 || text[end] !== "]" || end - at > 7)
        return `an index is written [0], [1]… (at character ${at + 1})`;
      path.push(Number(text.slice(at + 1, end)));
      at = end + 1;
    } else {
      return `unexpected "${char}" at character ${at + 1}`;
    }
  }
  return path;
}

function allOf(text: string, test: (code: number) => boolean): boolean {
  for (let i = 0; i < text.length; i++) if (!test(text.charCodeAt(i))) return false;
  return true;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Letters, digits, `_` and `-` (Alertmanager's and GitHub's keys are all of these). */
function isKeyChar(code: number): boolean {
  return isLetter(code) || isDigit(code) || code === 95 || code === 45;
}

function isHeaderChar(code: number): boolean {
  return isLetter(code) || isDigit(code) || code === 45 || code === 95;
}
