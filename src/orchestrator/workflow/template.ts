import { BatonError } from "../../errors.js";

/**
 * The safe template language used in a step's `with`: `{{ path }}` and `{{ path | default: "text" }}`.
 * Paths are looked up in plain data, segment by segment, through own properties and array indexes
 * only; nothing is ever evaluated (no eval, no Function, no prototype walk). Values substituted
 * into a template are never rendered again, so text a person types cannot inject placeholders.
 *
 * `{{ secrets.NAME }}` resolves only through `secrets`, which the runner passes when the tool is
 * about to run; without it the placeholder stays as written, which is what step inputs store.
 */
export interface TemplateScope {
  input: Record<string, unknown>;
  steps: Record<string, { output: unknown }>;
  /** Inside a loop: `iteration` (from 1), `previous` and `best` iterations' outputs by step id. */
  loop?: { iteration: number; previous: Record<string, unknown> | null; best: Record<string, unknown> | null };
  /** Inside a map step: the current item and its position (from 0). */
  item?: unknown;
  index?: number;
  /** Resolves `{{ secrets.NAME }}` (throws when the secret is not set); absent: kept as written. */
  secrets?: (name: string) => string;
}

interface Placeholder {
  /** The placeholder as written, e.g. `{{ input.name | default: "world" }}`. */
  source: string;
  path: string;
  segments: string[];
  /** The `default` filter's text, used when the path is missing, null or an empty string. */
  fallback?: string;
}

type TemplatePart = string | Placeholder;

const EXPRESSION = /^([A-Za-z_][\w-]*(?:\.[\w-]+)*)(?:\s*\|\s*([\s\S]*))?$/;
const DEFAULT_FILTER = /^default\s*:\s*("(?:[^"\\]|\\.)*"|'[^']*')$/;
const MISSING: unique symbol = Symbol("missing");

/** Renders every placeholder in `text` as text; objects and numbers become JSON. */
export function renderTemplate(text: string, scope: TemplateScope): string {
  return parseTemplate(text)
    .map((part) => (typeof part === "string" ? part : stringify(resolve(part, scope))))
    .join("");
}

/**
 * Renders every string inside `value` (objects and arrays, recursively; keys are left alone).
 * A string that is exactly one placeholder keeps the raw value's type, so
 * `body: "{{ steps.fetch.output.body }}"` passes an object, not its JSON text.
 */
export function renderValue(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === "string") return renderString(value, scope);
  if (Array.isArray(value)) return value.map((item) => renderValue(item, scope));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, scope)]));
  }
  return value;
}

/** The distinct paths a template refers to, in order of first use (for definition validation). */
export function templatePaths(text: string): string[] {
  const paths = parseTemplate(text).flatMap((part) => (typeof part === "string" ? [] : [part.path]));
  return [...new Set(paths)];
}

function renderString(text: string, scope: TemplateScope): unknown {
  const parts = parseTemplate(text);
  const [only] = parts;
  if (parts.length === 1 && only !== undefined && typeof only !== "string") return resolve(only, scope);
  return renderTemplate(text, scope);
}

function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let rest = 0;
  for (const found of placeholders(text)) {
    pushLiteral(parts, text.slice(rest, found.index));
    parts.push(parsePlaceholder(found.source, found.inner));
    rest = found.index + found.source.length;
  }
  pushLiteral(parts, text.slice(rest));
  return parts;
}

/**
 * Each `{{ … }}`, the first `}}` closing it: what `/\{\{([\s\S]*?)\}\}/g` finds, by `indexOf`, so a
 * text of many `{{` and no `}}` is read once instead of once per `{{` (quadratic).
 */
function* placeholders(text: string): Generator<{ index: number; source: string; inner: string }> {
  for (let from = 0; ; ) {
    const open = text.indexOf("{{", from);
    const close = open < 0 ? -1 : text.indexOf("}}", open + 2);
    if (close < 0) return;
    yield { index: open, source: text.slice(open, close + 2), inner: text.slice(open + 2, close) };
    from = close + 2;
  }
}

function pushLiteral(parts: TemplatePart[], literal: string): void {
  if (literal.includes("{{")) {
    throw new BatonError("template_invalid", "Template has a `{{` without a matching `}}`.");
  }
  if (literal !== "") parts.push(literal);
}

function parsePlaceholder(source: string, inner: string): Placeholder {
  const match = EXPRESSION.exec(inner.trim());
  const path = match?.[1];
  if (match === null || path === undefined) {
    throw new BatonError("template_invalid", `Template placeholder \`${source}\` is not a path like \`input.name\`.`);
  }
  const placeholder: Placeholder = { source, path, segments: path.split(".") };
  const filter = match[2];
  return filter === undefined ? placeholder : { ...placeholder, fallback: parseDefaultFilter(filter, source) };
}

function parseDefaultFilter(filter: string, source: string): string {
  const quoted = DEFAULT_FILTER.exec(filter.trim())?.[1];
  if (quoted?.startsWith("'")) return quoted.slice(1, -1);
  try {
    if (quoted !== undefined) return String(JSON.parse(quoted));
  } catch {
    // An invalid escape inside the quotes falls through to the error below.
  }
  throw new BatonError(
    "template_invalid",
    `Template placeholder \`${source}\` has an unsupported filter; only \`| default: "text"\` is allowed.`,
  );
}

function resolve(placeholder: Placeholder, scope: TemplateScope): unknown {
  if (placeholder.segments[0] === "secrets") return resolveSecret(placeholder, scope);
  const value = lookup(scope, placeholder.segments);
  const isEmpty = value === MISSING || value === null || value === "";
  if (placeholder.fallback !== undefined && isEmpty) return placeholder.fallback;
  if (value === MISSING) {
    throw new BatonError("template_missing_path", `Template path \`${placeholder.path}\` does not exist.`);
  }
  return value;
}

function resolveSecret(placeholder: Placeholder, scope: TemplateScope): string {
  const [, name, extra] = placeholder.segments;
  if (name === undefined || extra !== undefined) {
    throw new BatonError(
      "template_invalid",
      `Template placeholder \`${placeholder.source}\` must be \`{{ secrets.NAME }}\`.`,
    );
  }
  return scope.secrets ? scope.secrets(name) : placeholder.source;
}

/** Whether any string inside `value` refers to `{{ secrets.… }}` (only those need a second render). */
export function usesSecrets(value: unknown): boolean {
  if (typeof value === "string")
    return value.includes("{{") && templatePaths(value).some((p) => p.startsWith("secrets."));
  if (Array.isArray(value)) return value.some(usesSecrets);
  if (isRecord(value)) return Object.values(value).some(usesSecrets);
  return false;
}

function lookup(root: unknown, segments: readonly string[]): unknown {
  let current = root;
  for (const segment of segments) {
    current = child(current, segment);
    if (current === MISSING) return MISSING;
  }
  return current;
}

/** Own properties and array indexes only; a value of `undefined` counts as missing, `null` does not. */
function child(value: unknown, segment: string): unknown {
  let next: unknown;
  if (Array.isArray(value) && /^\d+$/.test(segment)) next = value[Number(segment)];
  else if (isRecord(value) && Object.hasOwn(value, segment)) next = value[segment];
  return next === undefined ? MISSING : next;
}

function stringify(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
