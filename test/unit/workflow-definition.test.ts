import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BatonError } from "../../src/errors.js";
import { createBuiltinTools } from "../../src/orchestrator/tools/registry.js";
import {
  loadWorkflowDirectory,
  parseWorkflowDefinition,
  resolveInputs,
  type WorkflowDefinition,
} from "../../src/orchestrator/workflow/definition.js";

const tools = createBuiltinTools();
const WORKFLOWS_DIR = path.resolve(import.meta.dirname, "../../workflows");

const HELLO = `
name: hello
description: Greets someone by name.
inputs:
  name: { description: Who to greet, required: true }
  greeting: { default: Hello }
steps:
  - id: greet
    tool: template
    with: { text: "{{ input.greeting }}, {{ input.name }}! 👋" }
    timeoutMs: 5000
  - id: echo
    tool: template
    onError: continue
    with: { text: "{{ steps.greet.output.text }}" }
`;

function parse(source: string, label = "workflows/hello.yaml"): WorkflowDefinition {
  return parseWorkflowDefinition(source, label, tools);
}

function errorOf(fn: () => unknown): BatonError {
  try {
    fn();
  } catch (error) {
    if (error instanceof BatonError) return error;
    throw error;
  }
  throw new Error("expected a BatonError");
}

function invalidMessage(source: string, label = "workflows/hello.yaml"): string {
  const error = errorOf(() => parse(source, label));
  expect(error.code).toBe("workflow_invalid");
  return error.message;
}

/** HELLO with one line replaced, so each case shows exactly what is wrong. */
function helloWith(from: string, to: string): string {
  expect(HELLO).toContain(from);
  return HELLO.replace(from, to);
}

describe("parseWorkflowDefinition", () => {
  it("parses a valid definition with defaults applied", () => {
    const definition = parse(HELLO);
    expect(definition.name).toBe("hello");
    expect(definition.inputs.name).toEqual({ description: "Who to greet", required: true });
    expect(definition.inputs.greeting).toEqual({ required: false, default: "Hello" });
    expect(definition.steps).toEqual([
      {
        kind: "tool",
        id: "greet",
        tool: "template",
        with: { text: "{{ input.greeting }}, {{ input.name }}! 👋" },
        timeoutMs: 5000,
        onError: "fail",
      },
      {
        kind: "tool",
        id: "echo",
        tool: "template",
        with: { text: "{{ steps.greet.output.text }}" },
        onError: "continue",
      },
    ]);
  });

  it("names the file, the step and the field of an unknown tool, listing the known ones", () => {
    expect(
      invalidMessage(
        helloWith(
          'tool: template\n    with: { text: "{{ input.greeting',
          'tool: templat\n    with: { text: "{{ input.greeting',
        ),
      ),
    ).toBe(
      "workflows/hello.yaml: step `greet`, field `tool`: unknown tool `templat` (known: http.get, http.post, template, wait).",
    );
  });

  it("rejects references to undeclared inputs, later steps and unknown steps", () => {
    expect(invalidMessage(helloWith("{{ input.name }}", "{{ input.nme }}"))).toBe(
      "workflows/hello.yaml: step `greet`, field `with.text`: `{{ input.nme }}` refers to an input that is not declared (declared: `name`, `greeting`).",
    );
    expect(invalidMessage(helloWith("{{ input.name }}", "{{ steps.echo.output.text }}"))).toContain(
      "step `greet`, field `with.text`: `{{ steps.echo.output.text }}` refers to step `echo`, which does not run before this one",
    );
    expect(invalidMessage(helloWith("{{ steps.greet.output.text }}", "{{ steps.gret.output.text }}"))).toContain(
      "step `echo`, field `with.text`: `{{ steps.gret.output.text }}` refers to a step `gret` that does not exist",
    );
    expect(invalidMessage(helloWith("{{ steps.greet.output.text }}", "{{ env.HOME }}"))).toContain(
      "must start with `input.` or `steps.`",
    );
    expect(invalidMessage(helloWith("{{ input.name }}", "{{ input.name + 1 }}"))).toContain(
      "field `with.text`: template placeholder `{{ input.name + 1 }}` is not a path like `input.name`.",
    );
  });

  it("checks templates nested inside lists and mappings in `with`", () => {
    const source = helloWith(
      'with: { text: "{{ steps.greet.output.text }}" }',
      "with: { text: x, extra: [ok, { deep: '{{ input.who }}' }] }",
    );
    expect(invalidMessage(source)).toContain("step `echo`, field `with.extra.1.deep`: `{{ input.who }}`");
  });

  it("rejects duplicate step ids", () => {
    expect(invalidMessage(helloWith("- id: echo", "- id: greet"))).toContain(
      "step `greet`, field `id`: step id `greet` is used twice",
    );
  });

  it("names top-level fields, unknown fields and bad values", () => {
    expect(invalidMessage(helloWith("name: hello", "name: Hello"), "workflows/x.yaml")).toBe(
      "workflows/x.yaml, field `name`: must start with a lowercase letter and use only a-z, 0-9, `_` or `-`.",
    );
    expect(invalidMessage(helloWith("name: hello", "name: hi"))).toBe(
      "workflows/hello.yaml, field `name`: `hi` must match the file name `hello`.",
    );
    expect(invalidMessage(helloWith("onError: continue", "onError: ignore"))).toBe(
      "workflows/hello.yaml: step `echo`, field `onError`: must be `fail` or `continue`.",
    );
    expect(invalidMessage(helloWith("timeoutMs: 5000", "timeoutMs: soon"))).toBe(
      'workflows/hello.yaml: step `greet`, field `timeoutMs`: must be a number, not a string ("soon").',
    );
    expect(invalidMessage(helloWith('    with: { text: "{{ steps', '    wiht: { text: "{{ steps'))).toContain(
      "step `echo`, field `wiht`: is not a known field",
    );
    expect(invalidMessage(helloWith("- id: echo", "- id: Echo"))).toContain("step #2, field `id`: must start with");
    expect(invalidMessage("name: hello\nsteps: []\n")).toBe(
      "workflows/hello.yaml, field `steps`: must be a list of at least 1 item.",
    );
    expect(invalidMessage("name: hello\n")).toBe("workflows/hello.yaml, field `steps`: is required.");
    expect(
      invalidMessage(helloWith("greeting: { default: Hello }", "greeting: { default: Hello, required: true }")),
    ).toContain("field `inputs.greeting`: an input with a `default` cannot also be `required`");
  });

  it("reports YAML syntax errors with their line and column", () => {
    expect(invalidMessage("name: hello\nsteps:\n  - id: [greet\n")).toMatch(
      /^workflows\/hello\.yaml: YAML syntax error at line \d+, column \d+: .+\.$/,
    );
    expect(invalidMessage("name: hello\nname: again\n")).toMatch(/YAML syntax error at line 2, column 1: .*unique/);
    expect(invalidMessage("")).toBe("workflows/hello.yaml: the file must be a YAML mapping with `name` and `steps`.");
  });

  it("does not require a file name match for labels that are not file paths", () => {
    expect(parse(helloWith("name: hello", "name: other"), "inline definition").name).toBe("other");
  });
});

describe("resolveInputs", () => {
  const definition = parse(HELLO);

  it("applies defaults", () => {
    expect(resolveInputs(definition, { name: "Ada" })).toEqual({ name: "Ada", greeting: "Hello" });
    expect(resolveInputs(definition, { name: "Ada", greeting: "Hi" })).toEqual({ name: "Ada", greeting: "Hi" });
  });

  it("names missing required inputs and shows how to give them", () => {
    const error = errorOf(() => resolveInputs(definition, {}));
    expect(error.code).toBe("invalid_command");
    expect(error.message).toBe("`hello` needs input `name`: /orchestrate run hello name=…");
  });

  it("names unknown inputs and lists the real ones", () => {
    const error = errorOf(() => resolveInputs(definition, { nme: "Ada" }));
    expect(error.code).toBe("invalid_command");
    expect(error.message).toBe("`hello` has no input `nme`; its inputs are `name`, `greeting`.");
  });
});

describe("loadWorkflowDirectory", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("loads the shipped workflows with no errors", async () => {
    const { definitions, errors } = await loadWorkflowDirectory(WORKFLOWS_DIR, tools);
    expect(errors).toEqual([]);
    expect(definitions.map((definition) => definition.name)).toEqual(expect.arrayContaining(["hello", "healthcheck"]));
  });

  it("keeps loading when one file is bad, and names the bad file", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "baton-workflows-"));
    await writeFile(path.join(dir, "hello.yaml"), HELLO);
    await writeFile(path.join(dir, "broken.yml"), "name: broken\nsteps:\n  - id: a\n    tool: nope\n");
    await writeFile(path.join(dir, "notes.txt"), "not a workflow");
    const { definitions, errors } = await loadWorkflowDirectory(dir, tools);
    expect(definitions.map((definition) => definition.name)).toEqual(["hello"]);
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      [
        "workflow_invalid",
        `${path.basename(dir)}/broken.yml: step \`a\`, field \`tool\`: unknown tool \`nope\` (known: http.get, http.post, template, wait).`,
      ],
    ]);
  });

  it("reports a directory that does not exist", async () => {
    const { definitions, errors } = await loadWorkflowDirectory(path.join(tmpdir(), "baton-no-such-dir-xyz"), tools);
    expect(definitions).toEqual([]);
    expect(errors[0]?.code).toBe("not_found");
  });
});

describe("when and retry in definitions", () => {
  const source = (extra: string[]) =>
    [
      "name: guarded",
      "inputs:",
      "  mode: { required: true }",
      "steps:",
      "  - id: first",
      "    tool: template",
      '    with: { text: "hi" }',
      "  - id: second",
      "    tool: template",
      '    with: { text: "there" }',
      ...extra.map((line) => `    ${line}`),
    ].join("\n");

  it("accepts a condition over inputs and earlier outputs, and a retry policy with defaults", () => {
    const definition = parseWorkflowDefinition(
      source(['when: \'input.mode in ["a", "b"] and steps.first.output.text == "hi"\'', "retry: { maxAttempts: 4 }"]),
      "workflows/guarded.yaml",
      tools,
    );
    expect(definition.steps[1]).toMatchObject({
      when: 'input.mode in ["a", "b"] and steps.first.output.text == "hi"',
      retry: { maxAttempts: 4, delayMs: 1000, backoffFactor: 2, jitter: 0.2 },
    });
  });

  it.each([
    ["when: 'input.mode =='", /workflows\/guarded\.yaml: step `second`, field `when`: expected a value after `==`/],
    ["when: 'input.nope == 1'", /step `second`, field `when`: .*input that is not declared/],
    ["retry: { maxAttempts: 0 }", /step `second`, field `retry.maxAttempts`/],
  ])("rejects %s naming the file, step and field", (line, message) => {
    expect(() => parseWorkflowDefinition(source([line]), "workflows/guarded.yaml", tools)).toThrow(message);
  });
});

describe("parallel groups in definitions", () => {
  const group = (branchB: string[]) =>
    [
      "name: fan",
      "steps:",
      "  - id: fan",
      "    parallel:",
      "      steps:",
      "        - id: a",
      "          tool: template",
      '          with: { text: "a" }',
      ...branchB.map((line) => `        ${line}`),
      "  - id: after",
      "    tool: template",
      '    with: { text: "{{ steps.a.output.text }} {{ steps.fan.output.b }}" }',
    ].join("\n");

  it("accepts branches and lets later steps read them, with a default cap of 4", () => {
    const definition = parseWorkflowDefinition(
      group(["- id: b", "  tool: template", '  with: { text: "b" }']),
      "fan",
      tools,
    );
    expect(definition.steps[0]).toMatchObject({
      kind: "parallel",
      parallel: { maxConcurrency: 4, steps: [{ id: "a" }, { id: "b" }] },
    });
  });

  it.each([
    [
      ["- id: b", "  tool: template", '  with: { text: "{{ steps.a.output.text }}" }'],
      /field `parallel.steps.1.with.text`: .*does not run before this one/,
    ],
    [
      ["- id: a", "  tool: template", '  with: { text: "again" }'],
      /field `parallel.steps.1.id`: step id `a` is used twice/,
    ],
    [["- id: b", "  tool: nope", "  with: {}"], /field `parallel.steps.1.tool`: unknown tool `nope`/],
  ])("rejects a bad branch, naming the field", (branch, message) => {
    expect(() => parseWorkflowDefinition(group(branch), "fan", tools)).toThrow(message);
  });
});

describe("loops in definitions", () => {
  const loop = (body: string[], extra: string[] = []) =>
    [
      "name: looping",
      "steps:",
      "  - id: refine",
      "    loop:",
      '      until: steps.draft.output.text == "x" or loop.iteration >= 2',
      ...extra.map((line) => `      ${line}`),
      "      steps:",
      ...body.map((line) => `        ${line}`),
    ].join("\n");
  const draft = [
    "- id: draft",
    "  tool: template",
    "  with: { text: '{{ loop.iteration }} {{ loop.previous.draft.text | default: \"none\" }}' }",
  ];

  it("accepts loop state inside the loop, with a default of 10 iterations", () => {
    const definition = parseWorkflowDefinition(loop(draft), "looping", tools);
    expect(definition.steps[0]).toMatchObject({ kind: "loop", loop: { maxIterations: 10 } });
  });

  it.each([
    [loop(draft, ["score: steps.nope.output.x"]), /field `loop.score`: .*step `nope` that does not exist/],
    [
      `${loop(draft)}\n  - id: after\n    tool: template\n    with: { text: "{{ loop.iteration }}" }`,
      /step `after`, field `with.text`: .*only inside a loop/,
    ],
  ])("rejects loop state outside the loop and unknown references, naming the field", (source, message) => {
    expect(() => parseWorkflowDefinition(source, "looping", tools)).toThrow(message);
  });
});

describe("workflow steps (sub-workflows)", () => {
  const parent = (call: string) =>
    [
      "name: outer",
      "inputs:",
      "  who: { required: true }",
      "steps:",
      "  - id: sub",
      `    workflow: ${call}`,
      "  - id: use",
      "    tool: template",
      '    with: { text: "{{ steps.sub.output.steps.hello.text }}" }',
    ].join("\n");

  it("parses a call with templated inputs", () => {
    const definition = parseWorkflowDefinition(
      parent("{ name: hello, input: { name: '{{ input.who }}' } }"),
      "workflows/outer.yaml",
      tools,
    );
    expect(definition.steps[0]).toMatchObject({
      kind: "workflow",
      workflow: { name: "hello", input: { name: "{{ input.who }}" } },
    });
  });

  it("rejects a workflow that runs itself, naming the step and field", () => {
    expect(() => parseWorkflowDefinition(parent("{ name: outer, input: {} }"), "workflows/outer.yaml", tools)).toThrow(
      "workflows/outer.yaml: step `sub`, field `workflow.name`: a workflow cannot run itself.",
    );
  });

  it("checks the references in a call's inputs", () => {
    expect(() =>
      parseWorkflowDefinition(
        parent("{ name: hello, input: { name: '{{ input.nobody }}' } }"),
        "workflows/outer.yaml",
        tools,
      ),
    ).toThrow(/field `workflow.input.name`: `\{\{ input.nobody \}\}` refers to an input that is not declared/);
  });
});

describe("map steps", () => {
  const mapped = (inner: string, extra = "") =>
    [
      "name: mapped",
      "inputs:",
      "  pages: { required: true }",
      "steps:",
      "  - id: fetch",
      "    map:",
      "      over: input.pages",
      "      step:",
      "        id: get",
      "        tool: template",
      `        with: { text: "${inner}" }`,
      extra,
    ].join("\n");

  it("parses a map whose step reads item and index", () => {
    const definition = parseWorkflowDefinition(mapped("{{ index }}: {{ item }}"), "workflows/mapped.yaml", tools);
    expect(definition.steps[0]).toMatchObject({ kind: "map", map: { over: "input.pages", maxConcurrency: 4 } });
  });

  it("rejects item outside a map, naming the step and field", () => {
    const after = ["  - id: later", "    tool: template", '    with: { text: "{{ item }}" }'].join("\n");
    expect(() => parseWorkflowDefinition(mapped("{{ item }}", after), "workflows/mapped.yaml", tools)).toThrow(
      /step `later`, field `with.text`: `\{\{ item \}\}` reads a map's current item, which exists only inside a map step/,
    );
  });

  it("checks what `over` reads", () => {
    const source = mapped("{{ item }}").replace("over: input.pages", "over: input.nothing");
    expect(() => parseWorkflowDefinition(source, "workflows/mapped.yaml", tools)).toThrow(/field `map.over`/);
  });
});
