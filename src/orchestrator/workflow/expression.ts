import { evaluateExpression, isTruthy } from "./expression-eval.js";
import { type Expression, parseExpression } from "./expression-parser.js";

/**
 * The safe expression language of a workflow's `when` conditions and loop `until`, read over plain
 * data such as `input`, `steps.<id>.output…` and loop state. It is tokenized and parsed by hand into
 * an AST and then interpreted; nothing is ever handed to eval, Function or vm.
 *
 * - Values: numbers (`3`, `-1.5`, `2e3`), `'single'` or `"double"` quoted strings with backslash
 *   escapes, `true`, `false`, `null`, lists `[a, b]`, and paths: names joined by `.`, with `.0` or
 *   `[0]` for list indexes (`steps.check.output.results[0].status`). Names may contain `-`.
 * - A path that does not exist fails with `template_missing_path` naming it; a trailing `?`
 *   (`steps.x.output.maybe?`) reads a missing path as null instead. Paths walk own properties of
 *   plain objects and array indexes only, so `constructor`, `__proto__`, `toString` or `length` are
 *   missing like any other absent key.
 * - Precedence, tightest first: `not`/`!`, comparisons, `and`/`&&`, `or`/`||`; parentheses group.
 *   So `not a == b` is `(not a) == b`: write `a != b`, `a not in b` or `not (a in b)`.
 *   Comparisons do not chain (`1 < x < 3` is refused; write `1 < x and x < 3`).
 * - `==`/`!=` are deep equality for lists and plain objects. Because workflow inputs are strings, a
 *   numeric string (`"3"`, `"-1.5"`; not `""` or `" 3"`) meeting a number is read as that number, in
 *   `==`, ordering, list membership and inside lists and objects; two strings still compare as
 *   strings (`"10" < "9"`). There is no other implicit conversion: `true == 1` is false.
 * - `<`, `<=`, `>`, `>=` order numbers numerically and strings lexically; any other pairing
 *   (`[1] < 2`, `null < 1`) is false rather than an error.
 * - `a in b`: an element of list `b` (by `==`), a substring of string `b`, or an own key of object
 *   `b`; anything else is false. `a not in b` is its negation.
 * - `and`/`or` short-circuit, so `steps.x.output? and steps.x.output.ok` is safe.
 * - Truthiness: false, null, 0, "", an empty list and an empty object are false. The strings
 *   `"false"` and `"0"` are true, so compare inputs explicitly: `input.dry_run == "true"`.
 */

export { evaluateExpression, isTruthy } from "./expression-eval.js";
export {
  type ComparisonOperator,
  type Expression,
  type Literal,
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
  type PathExpression,
  parseExpression,
} from "./expression-parser.js";

/** Parses `source` if needed, evaluates it over `scope`, and reports the result's truthiness. */
export function evaluateCondition(source: string | Expression, scope: Record<string, unknown>): boolean {
  const expression = typeof source === "string" ? parseExpression(source) : source;
  return isTruthy(evaluateExpression(expression, scope));
}

/** The distinct dotted paths an expression reads, in order of first use, so definitions can be checked at load time. */
export function expressionPaths(expression: Expression): string[] {
  return [...new Set(collectPaths(expression))];
}

function collectPaths(expression: Expression): string[] {
  switch (expression.kind) {
    case "literal":
      return [];
    case "path":
      return [expression.path];
    case "list":
      return expression.items.flatMap(collectPaths);
    case "not":
      return collectPaths(expression.operand);
    case "and":
    case "or":
      return expression.operands.flatMap(collectPaths);
    case "compare":
      return [...collectPaths(expression.left), ...collectPaths(expression.right)];
  }
}
