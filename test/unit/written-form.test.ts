import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { definitionYaml } from "../../src/orchestrator/improve/improver.js";
import { lineDiff } from "../../src/orchestrator/improve/line-diff.js";
import { WorkflowDefinition } from "../../src/orchestrator/workflow/definition.js";
import { writtenForm } from "../../src/orchestrator/workflow/written-form.js";

const SOURCE = `
name: ping
inputs:
  target: { description: What to ping, required: true }
  note: { description: An optional note }
steps:
  - id: call
    tool: http.get
    with: { urls: "{{ input.target }}" }
    retry: { maxAttempts: 3 }
  - id: say
    tool: template
    onError: continue
    with: { text: "pinged" }
`;

describe("a definition's written form (issue 15: /improve's diff shows only what someone wrote)", () => {
  const definition = WorkflowDefinition.parse(parse(SOURCE));

  it("leaves out every field that only repeats its default, and keeps what was written", () => {
    expect(writtenForm(definition)).toEqual(parse(SOURCE));
    // The parsed definition does carry the defaults the written form leaves out.
    expect(definition.steps[0]).toMatchObject({ onError: "fail", retry: { maxAttempts: 3, delayMs: 1000 } });
    expect(definition.inputs.note).toMatchObject({ required: false });
  });

  it("parses back to the same definition", () => {
    expect(WorkflowDefinition.parse(writtenForm(definition))).toEqual(definition);
  });

  it("makes a one-field change a one-line diff", () => {
    const changed = WorkflowDefinition.parse(parse(SOURCE.replace("maxAttempts: 3", "maxAttempts: 5")));
    const diff = lineDiff(definitionYaml(definition), definitionYaml(changed));
    const changedLines = diff.split("\n").filter((line) => line.startsWith("+") || line.startsWith("-"));
    expect(changedLines.map((line) => line.replace(/\s+/g, " "))).toEqual(["- maxAttempts: 3", "+ maxAttempts: 5"]);
    expect(diff).not.toContain("delayMs");
    expect(diff).not.toContain("required: false");
  });
});
