import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BatonError } from "../../src/errors.js";
import {
  type Expression,
  evaluateCondition,
  evaluateExpression,
  expressionPaths,
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
  parseExpression,
} from "../../src/orchestrator/workflow/expression.js";

const scope: Record<string, unknown> = {
  input: { count: "3", name: "Ada", empty: "", dry_run: "false", tags: "alpha,beta" },
  steps: {
    check: {
      output: {
        down: 0,
        up: 2,
        ok: false,
        region: "eu-west",
        results: [
          { url: "http://a.test", status: 200 },
          { url: "http://b.test", status: null },
        ],
        tags: ["red", "green"],
        meta: { region: "eu", zones: { a: 1 } },
        none: null,
        nothing: [],
        blank: {},
      },
    },
  },
  loop: { iteration: 2, last: { attempts: "4" } },
};

function thrown(fn: () => unknown): BatonError {
  try {
    fn();
  } catch (error) {
    if (error instanceof BatonError) return error;
    throw error;
  }
  throw new Error("expected a BatonError");
}

const value = (source: string, over: Record<string, unknown> = scope) =>
  evaluateExpression(parseExpression(source), over);
const condition = (source: string, over: Record<string, unknown> = scope) => evaluateCondition(source, over);
const path = (dotted: string, optional = false): Expression => ({
  kind: "path",
  path: dotted,
  segments: dotted.split("."),
  optional,
});
const literal = (item: null | boolean | number | string): Expression => ({ kind: "literal", value: item });

describe("parseExpression", () => {
  it("builds a comparison of a path and a literal", () => {
    expect(parseExpression("steps.check.output.down == 0")).toEqual({
      kind: "compare",
      operator: "==",
      left: path("steps.check.output.down"),
      right: literal(0),
    });
  });

  it("reads list indexes written with dots or brackets as the same dotted path", () => {
    const dotted = parseExpression("steps.check.output.results.0.status");
    expect(parseExpression("steps.check.output.results[0].status")).toEqual(dotted);
    expect(dotted).toEqual(path("steps.check.output.results.0.status"));
    expect(parseExpression("a[1][2].b-c?")).toEqual(path("a.1.2.b-c", true));
  });

  it("reads every kind of literal", () => {
    expect(parseExpression("42")).toEqual(literal(42));
    expect(parseExpression("-3.25")).toEqual(literal(-3.25));
    expect(parseExpression("1.5e3")).toEqual(literal(1500));
    expect(parseExpression("'it\\'s'")).toEqual(literal("it's"));
    expect(parseExpression('"tab\\there \\"q\\" \\\\ \\u00e9\\n"')).toEqual(literal('tab\there "q" \\ é\n'));
    expect(parseExpression("'a \"b\"'")).toEqual(literal('a "b"'));
    expect(parseExpression("true")).toEqual(literal(true));
    expect(parseExpression("false")).toEqual(literal(false));
    expect(parseExpression("null")).toEqual(literal(null));
    expect(parseExpression("[]")).toEqual({ kind: "list", items: [] });
    expect(parseExpression("[1, 'x', [null]]")).toEqual({
      kind: "list",
      items: [literal(1), literal("x"), { kind: "list", items: [literal(null)] }],
    });
  });

  it("gives not a tighter binding than comparisons, comparisons than and, and than or", () => {
    expect(parseExpression("not a == b")).toEqual({
      kind: "compare",
      operator: "==",
      left: { kind: "not", operand: path("a") },
      right: path("b"),
    });
    expect(parseExpression("a or b and c")).toEqual({
      kind: "or",
      operands: [path("a"), { kind: "and", operands: [path("b"), path("c")] }],
    });
    expect(parseExpression("a == 1 and b != 2 or c")).toEqual({
      kind: "or",
      operands: [
        {
          kind: "and",
          operands: [
            { kind: "compare", operator: "==", left: path("a"), right: literal(1) },
            { kind: "compare", operator: "!=", left: path("b"), right: literal(2) },
          ],
        },
        path("c"),
      ],
    });
  });

  it("lets parentheses override precedence", () => {
    expect(parseExpression("(a or b) and c")).toEqual({
      kind: "and",
      operands: [{ kind: "or", operands: [path("a"), path("b")] }, path("c")],
    });
    expect(parseExpression("not (a == b)")).toEqual({
      kind: "not",
      operand: { kind: "compare", operator: "==", left: path("a"), right: path("b") },
    });
  });

  it("treats &&, || and ! exactly like and, or and not", () => {
    expect(parseExpression("!a && b || c")).toEqual(parseExpression("not a and b or c"));
    expect(parseExpression("a||b")).toEqual(parseExpression("a or b"));
  });

  it("reads `in` and `not in`", () => {
    expect(parseExpression("'x' in a")).toEqual({
      kind: "compare",
      operator: "in",
      left: literal("x"),
      right: path("a"),
    });
    expect(parseExpression("'x' not in a")).toEqual({
      kind: "compare",
      operator: "not in",
      left: literal("x"),
      right: path("a"),
    });
  });

  it.each([
    ["steps.check.output.down ==", "Expected a value after `==` at the end of `steps.check.output.down ==`."],
    ["a == )", "Expected a value after `==`, found `)` at position 6 in `a == )`."],
    [")", "Expected a value, found `)` at position 1 in `)`."],
    ["not", "Expected a value after `not` at the end of `not`."],
    ["a and or b", "Expected a value after `and`, found `or` at position 7 in `a and or b`."],
    ["(a and b", "Expected `)` at the end of `(a and b`."],
    ["(a b)", "Expected `)`, found `b` at position 4 in `(a b)`."],
    ["[1, 2", "Expected `,` or `]` at the end of `[1, 2`."],
    ["[1, ]", "Expected a value after `,`, found `]` at position 5 in `[1, ]`."],
    ["a b", "Unexpected `b` at position 3 in `a b`."],
    ["a not b", "Unexpected `not` at position 3 in `a not b`."],
    ["1 < x < 3", "Comparisons cannot be chained (join them with `and`) at position 7 in `1 < x < 3`."],
    ["a = 1", "Use `==` instead of `=` at position 3 in `a = 1`."],
    ["a # 1", "Unexpected character `#` at position 3 in `a # 1`."],
    ["a - 1", "Unexpected character `-` at position 3 in `a - 1`."],
    ["x == 'abc", "Unclosed string starting at position 6 in `x == 'abc`."],
    ["'abc\\", "Unclosed string starting at position 1 in `'abc\\`."],
    ["'a\\qb'", "Unknown escape `\\q` at position 3 in `'a\\qb'`."],
    ["a.", "Expected a name or index after `.` at the end of `a.`."],
    ["a.#", "Expected a name or index after `.` at position 3 in `a.#`."],
    ["a[x]", "Expected a list index like `[0]` at position 2 in `a[x]`."],
    ["true.x", "Unexpected character `.` at position 5 in `true.x`."],
    ["1e999 > 1", "Number `1e999` is too large at position 1 in `1e999 > 1`."],
    ["é == 1", "Unexpected character `é` at position 1 in `é == 1`."],
    ["", "Expression is empty."],
    ["  \n ", "Expression is empty."],
  ])("refuses %j, naming what is wrong and where", (source, message) => {
    const error = thrown(() => parseExpression(source));
    expect(error.code).toBe("expression_invalid");
    expect(error.message).toBe(message);
  });

  it("keeps the message on one line and short for long or multi-line sources", () => {
    const message = thrown(() => parseExpression(`a ==\n${"x".repeat(500)} b`)).message;
    expect(message).not.toContain("\n");
    expect(message.length).toBeLessThan(250);
  });

  it("refuses sources over the length limit before reading them", () => {
    expect(parseExpression(`'${"x".repeat(MAX_EXPRESSION_LENGTH - 2)}'`)).toEqual(
      literal("x".repeat(MAX_EXPRESSION_LENGTH - 2)),
    );
    const error = thrown(() => parseExpression("1".repeat(MAX_EXPRESSION_LENGTH + 1)));
    expect(error.code).toBe("expression_invalid");
    expect(error.message).toBe(`Expression is 2001 characters long; the limit is ${MAX_EXPRESSION_LENGTH}.`);
  });

  it("refuses nesting deeper than the limit, whether parentheses, lists or not", () => {
    const depth = MAX_EXPRESSION_DEPTH;
    expect(parseExpression(`${"(".repeat(depth)}1${")".repeat(depth)}`)).toEqual(literal(1));
    expect(evaluateCondition(`${"not ".repeat(depth)}true`, scope)).toBe(true);
    for (const source of [
      `${"(".repeat(depth + 1)}1${")".repeat(depth + 1)}`,
      `${"[".repeat(depth + 1)}${"]".repeat(depth + 1)}`,
      `${"!".repeat(depth + 1)}true`,
      "(".repeat(MAX_EXPRESSION_LENGTH),
    ]) {
      const error = thrown(() => parseExpression(source));
      expect(error.code).toBe("expression_invalid");
      expect(error.message).toMatch(/^Expression nests deeper than 50 levels at position \d+ in `/);
    }
  });

  it("keeps long and/or chains flat", () => {
    const source = Array.from({ length: 300 }, (_, index) => `x${index}?`).join("||");
    const parsed = parseExpression(source);
    expect(parsed.kind === "or" && parsed.operands.length).toBe(300);
    expect(evaluateCondition(parsed, scope)).toBe(false);
  });
});

describe("evaluateExpression", () => {
  it("reads input, step output and loop state", () => {
    expect(value("input.name")).toBe("Ada");
    expect(value("steps.check.output.results.0.status")).toBe(200);
    expect(value("steps.check.output.results[1].url")).toBe("http://b.test");
    expect(value("steps.check.output.meta")).toEqual({ region: "eu", zones: { a: 1 } });
    expect(value("loop.iteration")).toBe(2);
    expect(value("[input.name, loop.iteration]")).toEqual(["Ada", 2]);
  });

  it("compares numbers numerically with every operator", () => {
    expect([
      value("2 == 2"),
      value("2 != 2"),
      value("2 < 10"),
      value("2 <= 2"),
      value("10 > 2"),
      value("2 >= 3"),
    ]).toEqual([true, false, true, true, true, false]);
    expect(value("-1.5 < -1")).toBe(true);
    expect(value("steps.check.output.up > steps.check.output.down")).toBe(true);
  });

  it("compares strings lexically, even when both look like numbers", () => {
    expect(value("'apple' < 'banana'")).toBe(true);
    expect(value("'b' >= 'b'")).toBe(true);
    expect(value("'Zebra' < 'apple'")).toBe(true);
    expect(value("'10' < '9'")).toBe(true);
    expect(value("'abc' == 'abc'")).toBe(true);
    expect(value("\"abc\" != 'abd'")).toBe(true);
  });

  it("converts a numeric string that meets a number, because workflow inputs are strings", () => {
    expect(value("input.count == 3")).toBe(true);
    expect(value("input.count > 2")).toBe(true);
    expect(value("3 <= input.count")).toBe(true);
    expect(value("input.count != 3")).toBe(false);
    expect(value("'3.0' == 3")).toBe(true);
    expect(value("'-2' < -1")).toBe(true);
    expect(value("'1e2' == 100")).toBe(true);
    expect(value("loop.last.attempts >= 4")).toBe(true);
    expect(value("input.count in [1, 2, 3]")).toBe(true);
    expect(value("['3', 4] == [3, '4']")).toBe(true);
  });

  it("does no other implicit conversion", () => {
    for (const source of [
      "'' == 0",
      "' 3' == 3",
      "'0x10' == 16",
      "'abc' == 0",
      "true == 1",
      "false == 0",
      "null == 0",
      "null == false",
      "'true' == true",
      "[1] == 1",
      "'' < 1",
      "'abc' > 0",
      "3 in '123'",
    ]) {
      expect(value(source), source).toBe(false);
    }
    expect(value("null == null")).toBe(true);
    expect(value("true == true")).toBe(true);
  });

  it("uses deep equality for lists and objects", () => {
    expect(value("steps.check.output.tags == ['red', 'green']")).toBe(true);
    expect(value("steps.check.output.tags == ['green', 'red']")).toBe(false);
    expect(value("steps.check.output.tags == ['red']")).toBe(false);
    expect(value("steps.check.output.nothing == []")).toBe(true);
    expect(value("[[1, [2]], null] == [[1, [2]], null]")).toBe(true);
    const objects = { a: { x: 1, y: [1, { z: "q" }] }, b: { y: [1, { z: "q" }], x: "1" }, c: { x: 1 }, d: [] };
    expect(value("a == b", objects)).toBe(true);
    expect(value("a != c", objects)).toBe(true);
    expect(value("c == a", objects)).toBe(false);
    expect(value("d == steps.blank?", objects)).toBe(false);
  });

  it("makes ordering between incompatible types false, never an error", () => {
    for (const source of [
      "[1] < 2",
      "[1] >= 2",
      "null < 1",
      "null >= null",
      "true > false",
      "steps.check.output.meta <= steps.check.output.meta",
      "'a' < 1",
      "1 >= 'a'",
    ]) {
      expect(value(source), source).toBe(false);
    }
    expect(value("not ([1] < 2)")).toBe(true);
  });

  it("finds an element in a list, a substring in a string and an own key in an object", () => {
    expect(value("'red' in steps.check.output.tags")).toBe(true);
    expect(value("'blue' in steps.check.output.tags")).toBe(false);
    expect(value("[1] in [[1], [2]]")).toBe(true);
    expect(value("'west' in steps.check.output.region")).toBe(true);
    expect(value("'' in 'anything'")).toBe(true);
    expect(value("'beta' in input.tags")).toBe(true);
    expect(value("'region' in steps.check.output.meta")).toBe(true);
    expect(value("'eu' in steps.check.output.meta")).toBe(false);
    expect(value("'toString' in steps.check.output.meta")).toBe(false);
    expect(value("'constructor' in steps.check.output.meta")).toBe(false);
    expect(value("'blue' not in steps.check.output.tags")).toBe(true);
    expect(value("'red' not in steps.check.output.tags")).toBe(false);
    expect(value("'x' not in 'abc'")).toBe(true);
    expect(value("'x' in null")).toBe(false);
    expect(value("1 in 123")).toBe(false);
    expect(value("1 in steps.check.output.meta")).toBe(false);
  });

  it("combines with and, or and not, giving booleans and short-circuiting", () => {
    expect(value("steps.check.output.up and input.name")).toBe(true);
    expect(value("steps.check.output.down or input.empty")).toBe(false);
    expect(value("not steps.check.output.ok")).toBe(true);
    expect(value("!!input.name")).toBe(true);
    expect(value("false and steps.nope.output.x")).toBe(false);
    expect(value("true or steps.nope.output.x")).toBe(true);
    expect(value("steps.nope? and steps.nope.output.ok")).toBe(false);
    expect(value("not 1 == 2")).toBe(false);
    expect(value("not (1 == 2)")).toBe(true);
    expect(value("(true or false) and false")).toBe(false);
    expect(value("true or false and false")).toBe(true);
  });

  it("fails a missing path with an error naming the path", () => {
    const error = thrown(() => value("steps.x.output.nope == 1"));
    expect(error.code).toBe("template_missing_path");
    expect(error.message).toBe("Expression path `steps.x.output.nope` does not exist.");
    expect(thrown(() => value("steps.check.output.results[5].url")).message).toBe(
      "Expression path `steps.check.output.results.5.url` does not exist.",
    );
    expect(thrown(() => value("steps.check.output.none.x")).code).toBe("template_missing_path");
    expect(thrown(() => value("input.name.0")).code).toBe("template_missing_path");
    expect(thrown(() => value("1 == 1 and nowhere")).message).toBe("Expression path `nowhere` does not exist.");
  });

  it("never walks into prototypes, lengths or non-plain objects", () => {
    for (const source of [
      "input.constructor",
      "input.__proto__",
      "input.toString",
      "input.hasOwnProperty",
      "input.name.length",
      "input.name.constructor.name",
      "steps.check.output.tags.length",
      "steps.check.output.tags.map",
      "constructor",
      "__proto__.polluted",
      "when.getTime",
      "when.0",
    ]) {
      const error = thrown(() => value(source, { ...scope, when: new Date(0) }));
      expect(error.code, source).toBe("template_missing_path");
    }
  });

  it("reads own keys that happen to share a prototype name, and null-prototype objects", () => {
    const data = JSON.parse('{"__proto__": {"x": 1}, "constructor": "own"}') as unknown;
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(value("data.__proto__.x", { data })).toBe(1);
    expect(value("data.constructor", { data })).toBe("own");
    expect(value("bare.a", { bare })).toBe(1);
  });

  it("reads a missing `?` path as null and a present one as its value", () => {
    expect(value("steps.x.output.maybe?")).toBeNull();
    expect(value("steps.x.output.maybe? == null")).toBe(true);
    expect(value("steps.check.output.results[9].status?")).toBeNull();
    expect(value("input.constructor?")).toBeNull();
    expect(value("steps.check.output.up?")).toBe(2);
    expect(value("steps.check.output.none?")).toBeNull();
  });
});

describe("evaluateCondition", () => {
  it.each([
    ["false", false],
    ["null", false],
    ["0", false],
    ["''", false],
    ["[]", false],
    ["steps.check.output.blank", false],
    ["steps.check.output.nothing", false],
    ["steps.check.output.none", false],
    ["input.empty", false],
    ["true", true],
    ["-1", true],
    ["'0'", true],
    ["input.dry_run", true],
    ["[0]", true],
    ["steps.check.output.meta", true],
  ])("treats %s as %s", (source, expected) => {
    expect(evaluateCondition(source, scope)).toBe(expected);
  });

  it("accepts an already parsed expression", () => {
    const parsed = parseExpression("steps.check.output.down == 0 and input.count >= 3");
    expect(evaluateCondition(parsed, scope)).toBe(true);
    expect(evaluateCondition(parsed, { ...scope, input: { count: "1" } })).toBe(false);
  });

  it("fails on a missing path rather than treating it as false", () => {
    expect(thrown(() => condition("steps.nope.output.down")).code).toBe("template_missing_path");
  });
});

describe("expressionPaths", () => {
  it("lists the distinct dotted paths in order of first use", () => {
    const parsed = parseExpression(
      "steps.check.output.results[0].status == 200 and (input.env in ['a', loop.iteration] or not input.env) " +
        "and steps.x.output.maybe? != steps.check.output.results.0.status",
    );
    expect(expressionPaths(parsed)).toEqual([
      "steps.check.output.results.0.status",
      "input.env",
      "loop.iteration",
      "steps.x.output.maybe",
    ]);
    expect(expressionPaths(parseExpression("1 == 'steps.a.output'"))).toEqual([]);
  });
});

const TOKENS = [
  "input.name",
  "steps.check.output.results[0].status",
  "steps.a.output.x?",
  "a.0.b",
  "constructor",
  "0",
  "-1",
  "2.5",
  "1e3",
  "'s'",
  '"d\\n"',
  "'",
  '"',
  "\\",
  "true",
  "false",
  "null",
  "and",
  "or",
  "not",
  "in",
  "&&",
  "||",
  "!",
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "=",
  "(",
  ")",
  "[",
  "]",
  ",",
  ".",
  "?",
  "-",
  "#",
  " ",
];

function parsesOrRefuses(source: string): void {
  try {
    parseExpression(source);
  } catch (error) {
    if (!(error instanceof BatonError) || error.code !== "expression_invalid") throw error;
  }
}

describe("parseExpression properties", () => {
  const runs = { numRuns: 1000 };

  it("returns or throws an expression_invalid BatonError for any ASCII text", () => {
    fc.assert(fc.property(fc.string({ unit: "binary-ascii", maxLength: 80 }), parsesOrRefuses), runs);
  });

  it("returns or throws an expression_invalid BatonError for any unicode text, lone surrogates included", () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
    fc.assert(fc.property(fc.string({ unit: "binary" }), parsesOrRefuses), runs);
    fc.assert(fc.property(fc.string({ unit: codeUnit }), parsesOrRefuses), runs);
  });

  it("returns or throws an expression_invalid BatonError for any soup of the grammar's tokens", () => {
    const tokens = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 });
    fc.assert(
      fc.property(tokens, (parts) => parsesOrRefuses(parts.join(" "))),
      runs,
    );
    fc.assert(
      fc.property(tokens, (parts) => parsesOrRefuses(parts.join(""))),
      runs,
    );
  });

  it("never overflows the stack, however deep the nesting", () => {
    const opener = fc.constantFrom("(", "[", "not ", "!", "[1, ", "(not ");
    const deep = fc.tuple(opener, fc.integer({ min: 0, max: 2100 }), fc.constantFrom("", "1", "1)", "]"));
    fc.assert(
      fc.property(deep, ([open, count, tail]) => parsesOrRefuses(open.repeat(count) + tail)),
      runs,
    );
  });

  it("reads back any string written as a JSON string literal", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        expect(evaluateExpression(parseExpression(JSON.stringify(text)), {})).toBe(text);
      }),
      runs,
    );
  });
});

/** Well-formed sources over the paths below, so every generated source parses. */
const { source: wellFormed } = fc.letrec<{ source: string; value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(
      "input.name",
      "input.count",
      "input.flag?",
      "steps.a.output",
      "steps.a.output.items[0]",
      "steps.a.output.items.1?",
      "steps.b.output.deep.x",
      "steps.b.output?",
      "loop.iteration",
      "input.constructor?",
      "input.__proto__",
    ),
    fc.integer({ min: -1000, max: 1000 }).map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.string({ maxLength: 8 }).map((text) => JSON.stringify(text)),
    fc.constantFrom("true", "false", "null", "'3'", "''", "[]"),
    fc.array(tie("source"), { maxLength: 3 }).map((items) => `[${items.join(", ")}]`),
    tie("source").map((inner) => `(${inner})`),
  ),
  source: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    tie("value"),
    tie("value").map((operand) => `not ${operand}`),
    tie("value").map((operand) => `!${operand}`),
    fc
      .tuple(tie("value"), fc.constantFrom("==", "!=", "<", "<=", ">", ">=", "in", "not in"), tie("value"))
      .map(([left, operator, right]) => `${left} ${operator} ${right}`),
    fc
      .tuple(tie("source"), fc.constantFrom("and", "or", "&&", "||"), tie("source"))
      .map(([left, operator, right]) => `(${left}) ${operator} (${right})`),
  ),
}));

const smallScope = fc.record({
  input: fc.dictionary(fc.constantFrom("name", "count", "flag", "other"), fc.oneof(fc.string(), fc.nat().map(String))),
  steps: fc.dictionary(fc.constantFrom("a", "b"), fc.record({ output: fc.jsonValue({ maxDepth: 3 }) })),
  loop: fc.record({ iteration: fc.nat(20) }),
});

describe("evaluateCondition properties", () => {
  it("gives a boolean or a template_missing_path BatonError for any well-formed expression and scope", () => {
    fc.assert(
      fc.property(wellFormed, smallScope, (source, data) => {
        const parsed = parseExpression(source);
        try {
          expect(typeof evaluateCondition(parsed, data)).toBe("boolean");
        } catch (error) {
          if (!(error instanceof BatonError) || error.code !== "template_missing_path") throw error;
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("gives a boolean or a BatonError for any parseable token soup", () => {
    const tokens = fc.array(fc.constantFrom(...TOKENS.filter((token) => token !== " ")), { maxLength: 20 });
    fc.assert(
      fc.property(tokens, smallScope, (parts, data) => {
        try {
          expect(typeof evaluateCondition(parts.join(" "), data)).toBe("boolean");
        } catch (error) {
          if (!(error instanceof BatonError)) throw error;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
