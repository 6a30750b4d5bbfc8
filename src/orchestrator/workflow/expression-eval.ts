import { BatonError } from "../../errors.js";
import type { ComparisonOperator, Expression, PathExpression } from "./expression-parser.js";

/**
 * Evaluates a parsed expression over plain data (see `expression.ts` for the language's rules).
 * Paths walk own properties of plain objects and array indexes only, never a prototype.
 */

const MISSING: unique symbol = Symbol("missing");
/** Workflow inputs arrive as strings, so `"3"` meets the number `3` as `3`; `""`, `" 3"` and `"0x10"` do not. */
const NUMERIC_STRING = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

type Comparator = (left: unknown, right: unknown) => boolean;

const COMPARATORS: Record<ComparisonOperator, Comparator> = {
  "==": (left, right) => deepEqual(left, right),
  "!=": (left, right) => !deepEqual(left, right),
  "<": (left, right) => ordered(left, right, (order) => order < 0),
  "<=": (left, right) => ordered(left, right, (order) => order <= 0),
  ">": (left, right) => ordered(left, right, (order) => order > 0),
  ">=": (left, right) => ordered(left, right, (order) => order >= 0),
  in: (left, right) => contains(right, left),
  "not in": (left, right) => !contains(right, left),
};

/** The expression's value; `and`, `or`, `not` and comparisons give booleans, and `and`/`or` short-circuit. */
export function evaluateExpression(expression: Expression, scope: Record<string, unknown>): unknown {
  switch (expression.kind) {
    case "literal":
      return expression.value;
    case "list":
      return expression.items.map((item) => evaluateExpression(item, scope));
    case "path":
      return resolvePath(expression, scope);
    case "not":
      return !isTruthy(evaluateExpression(expression.operand, scope));
    case "and":
      return expression.operands.every((operand) => isTruthy(evaluateExpression(operand, scope)));
    case "or":
      return expression.operands.some((operand) => isTruthy(evaluateExpression(operand, scope)));
    case "compare":
      return compare(expression.operator, expression.left, expression.right, scope);
  }
}

/** false, null, undefined, 0, NaN, "", an empty list and an empty object are false; everything else is true. */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

function compare(
  operator: ComparisonOperator,
  left: Expression,
  right: Expression,
  scope: Record<string, unknown>,
): boolean {
  return COMPARATORS[operator](evaluateExpression(left, scope), evaluateExpression(right, scope));
}

function resolvePath(expression: PathExpression, scope: Record<string, unknown>): unknown {
  let current: unknown = scope;
  for (const segment of expression.segments) {
    current = child(current, segment);
    if (current !== MISSING) continue;
    if (expression.optional) return null;
    throw new BatonError("template_missing_path", `Expression path \`${expression.path}\` does not exist.`);
  }
  return current;
}

/** Own properties and array indexes only; a value of `undefined` counts as missing, `null` does not. */
function child(value: unknown, segment: string): unknown {
  let next: unknown;
  if (Array.isArray(value) && /^\d+$/.test(segment)) next = value[Number(segment)];
  else if (isPlainObject(value) && Object.hasOwn(value, segment)) next = value[segment];
  return next === undefined ? MISSING : next;
}

/** Structural equality for lists and plain objects (key order ignored), with the numeric-string rule at every level. */
function deepEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  const numbers = numericPair(left, right);
  if (numbers !== undefined) return numbers[0] === numbers[1];
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, index) => deepEqual(item, right[index]));
  }
  if (isPlainObject(left) && isPlainObject(right)) return sameEntries(left, right);
  return false;
}

function sameEntries(left: Record<string, unknown>, right: Record<string, unknown>): boolean {
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && deepEqual(left[key], right[key]));
}

/** Numbers order numerically and strings lexically (by UTF-16 code unit); any other pairing is simply false. */
function ordered(left: unknown, right: unknown, test: (order: number) => boolean): boolean {
  const pair = numericPair(left, right) ?? stringPair(left, right);
  if (pair === undefined) return false;
  const [a, b] = pair;
  if (a < b) return test(-1);
  if (a > b) return test(1);
  return a === b && test(0);
}

/** Both sides as numbers when both are numbers, or one is a number and the other a numeric string. */
function numericPair(left: unknown, right: unknown): [number, number] | undefined {
  if (typeof left !== "number" && typeof right !== "number") return undefined;
  const a = toNumber(left);
  const b = toNumber(right);
  return a === undefined || b === undefined ? undefined : [a, b];
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  return typeof value === "string" && NUMERIC_STRING.test(value) ? Number(value) : undefined;
}

function stringPair(left: unknown, right: unknown): [string, string] | undefined {
  return typeof left === "string" && typeof right === "string" ? [left, right] : undefined;
}

/** Element of a list, substring of a string, or own key of a plain object; anything else is not contained. */
function contains(container: unknown, item: unknown): boolean {
  if (Array.isArray(container)) return container.some((element) => deepEqual(item, element));
  if (typeof item !== "string") return false;
  if (typeof container === "string") return container.includes(item);
  return isPlainObject(container) && Object.hasOwn(container, item);
}

/** Plain data only: a class instance, Map or Date is a value, never something to walk into. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
