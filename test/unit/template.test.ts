import { describe, expect, it } from "vitest";
import { BatonError } from "../../src/errors.js";
import {
  renderTemplate,
  renderValue,
  type TemplateScope,
  templatePaths,
} from "../../src/orchestrator/workflow/template.js";

const scope: TemplateScope = {
  input: { name: "Ada", empty: "", tricky: "{{ input.name }}" },
  steps: {
    greet: { output: { text: "Hello, Ada!" } },
    check: {
      output: {
        ok: false,
        up: 1,
        results: [
          { url: "http://a.test", status: 200 },
          { url: "http://b.test", status: null },
        ],
      },
    },
  },
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

describe("renderTemplate", () => {
  it("fills input and step output paths, including array indexes", () => {
    expect(renderTemplate("Hi {{ input.name }}, {{steps.greet.output.text}}", scope)).toBe("Hi Ada, Hello, Ada!");
    expect(renderTemplate("{{ steps.check.output.results.0.status }}", scope)).toBe("200");
    expect(renderTemplate("{{ steps.check.output.results.1.url }}", scope)).toBe("http://b.test");
  });

  it("writes non-string values as JSON", () => {
    expect(renderTemplate("ok={{ steps.check.output.ok }} up={{ steps.check.output.up }}", scope)).toBe(
      "ok=false up=1",
    );
    expect(renderTemplate("{{ steps.check.output.results.1 }}!", scope)).toBe('{"url":"http://b.test","status":null}!');
    expect(renderTemplate("{{ steps.check.output.results.1.status }}", scope)).toBe("null");
  });

  it("leaves text without placeholders alone", () => {
    expect(renderTemplate("plain } text { with braces }", scope)).toBe("plain } text { with braces }");
  });

  it("names a path that does not exist", () => {
    const error = thrown(() => renderTemplate("Hi {{ input.nme }}", scope));
    expect(error.code).toBe("template_missing_path");
    expect(error.message).toBe("Template path `input.nme` does not exist.");
    expect(thrown(() => renderTemplate("{{ steps.check.output.results.5.url }}", scope)).code).toBe(
      "template_missing_path",
    );
  });

  it("never walks prototypes or properties that are not own data", () => {
    for (const path of [
      "input.constructor",
      "input.__proto__",
      "input.name.length",
      "steps.check.output.results.length",
    ]) {
      expect(thrown(() => renderTemplate(`{{ ${path} }}`, scope)).code).toBe("template_missing_path");
    }
  });

  it("does not render placeholders that arrive inside values", () => {
    expect(renderTemplate("{{ input.tricky }}", scope)).toBe("{{ input.name }}");
  });

  it("uses the default filter for missing, null and empty values only", () => {
    expect(renderTemplate('{{ input.nick | default: "friend" }}', scope)).toBe("friend");
    expect(renderTemplate("{{ input.empty | default: 'none' }}", scope)).toBe("none");
    expect(renderTemplate('{{ steps.check.output.results.1.status | default: "down" }}', scope)).toBe("down");
    expect(renderTemplate('{{ input.name | default: "friend" }}', scope)).toBe("Ada");
    expect(renderTemplate('{{ input.nick | default: "say \\"hi\\"" }}', scope)).toBe('say "hi"');
  });

  it("rejects placeholders that are not paths, unknown filters and unclosed braces", () => {
    for (const text of [
      "{{ input.name + 1 }}",
      "{{ }}",
      "{{ input.name | upper }}",
      "Hi {{ input.name",
      "{{ a..b }}",
    ]) {
      expect(thrown(() => renderTemplate(text, scope)).code).toBe("template_invalid");
    }
    expect(thrown(() => renderTemplate("{{ process.exit() }}", scope)).message).toBe(
      "Template placeholder `{{ process.exit() }}` is not a path like `input.name`.",
    );
  });
});

describe("renderValue", () => {
  it("renders strings inside objects and arrays, leaving keys and other values alone", () => {
    const value = {
      "{{ input.name }}": ["{{ input.name }}!", 3, true, null],
      nested: { n: "{{ steps.check.output.up }}x" },
    };
    expect(renderValue(value, scope)).toEqual({ "{{ input.name }}": ["Ada!", 3, true, null], nested: { n: "1x" } });
  });

  it("keeps the raw type when a string is exactly one placeholder", () => {
    expect(renderValue("{{ steps.check.output.results }}", scope)).toEqual([
      { url: "http://a.test", status: 200 },
      { url: "http://b.test", status: null },
    ]);
    expect(renderValue({ up: "{{ steps.check.output.up }}" }, scope)).toEqual({ up: 1 });
    expect(renderValue(" {{ steps.check.output.up }}", scope)).toBe(" 1");
  });
});

describe("templatePaths", () => {
  it("lists each referenced path once, in order", () => {
    expect(templatePaths("{{ input.a }} {{ steps.x.output }} {{input.a|default:'z'}}")).toEqual([
      "input.a",
      "steps.x.output",
    ]);
    expect(templatePaths("no placeholders")).toEqual([]);
  });
});
