import { describe, expect, it } from "vitest";
import { fillCommand } from "../../src/http/hooks/hook-command.js";
import { parseTemplate, resolveTemplate, type TemplateInput } from "../../src/http/hooks/template.js";

const input = (body: unknown, headers: Record<string, string> = {}): TemplateInput => ({
  body,
  header: (name) => headers[name.toLowerCase()],
});

function fill(text: string, request: TemplateInput) {
  const parsed = parseTemplate(text);
  if ("error" in parsed) throw new Error(parsed.error);
  return resolveTemplate(parsed.parts, request);
}

describe("webhook templates", () => {
  const body = {
    repository: { homepage: "https://example.com", full_name: "acme/web" },
    alerts: [{ labels: { alertname: "HighLatency", "team-name": "ops" } }],
    number: 42,
    draft: false,
    nothing: null,
  };

  it("reads body paths with fields and indexes, and headers by name", () => {
    const request = input(body, { "x-github-delivery": "d-1" });
    expect(fill("{{ body.repository.homepage }}", request)).toEqual({ text: "https://example.com" });
    expect(
      fill("alert {{body.alerts[0].labels.alertname}} for {{ body.alerts[0].labels.team-name }}", request),
    ).toEqual({ text: "alert HighLatency for ops" });
    expect(fill("#{{ body.number }} draft={{ body.draft }}", request)).toEqual({ text: "#42 draft=false" });
    expect(fill("{{ headers.X-GitHub-Delivery }}", request)).toEqual({ text: "d-1" });
    expect(fill("no templates", request)).toEqual({ text: "no templates" });
  });

  it("names what is missing, null, or not text", () => {
    const request = input(body);
    expect(fill("{{ body.repository.nope }}", request)).toEqual({ missing: "body.repository.nope" });
    expect(fill("{{ body.alerts[3].labels }}", request)).toEqual({ missing: "body.alerts[3].labels" });
    expect(fill("{{ body.nothing }}", request)).toEqual({ missing: "body.nothing" });
    expect(fill("{{ headers.x-absent }}", request)).toEqual({ missing: "headers.x-absent" });
    expect(fill("{{ body.repository }}", request)).toEqual({ notText: "body.repository" });
    expect(fill("{{ body.repository.constructor }}", request)).toEqual({ missing: "body.repository.constructor" });
    expect(fill("{{ body.__proto__ }}", input({}))).toEqual({ missing: "body.__proto__" });
  });

  it("refuses templates that read nothing or do not parse", () => {
    expect(parseTemplate("{{ input.name }}")).toMatchObject({ error: expect.stringContaining("reads nothing") });
    expect(parseTemplate("{{ body.a")).toMatchObject({ error: expect.stringContaining("never closed") });
    expect(parseTemplate("{{ body.a[x] }}")).toMatchObject({ error: expect.stringContaining("index") });
    expect(parseTemplate("{{ body.a..b }}")).toMatchObject({ error: expect.stringContaining("field name") });
    expect(parseTemplate("{{ headers. }}")).toMatchObject({ error: expect.stringContaining("header name") });
  });

  it("stays linear on hostile text", () => {
    const braces = "{{ body.a }}".repeat(20_000) + "{{".repeat(20_000);
    expect(parseTemplate(braces)).toMatchObject({ error: expect.stringContaining("never closed") });
    const path = `{{ body${".a".repeat(50_000)} }}`;
    expect(fill(path, input({}))).toEqual({ missing: expect.stringContaining("body.a.a") });
  });

  it("fills a whole command and names the field of a missing value as a JSON pointer", () => {
    const template = {
      type: "workflow.run",
      workflow: "hello",
      input: { name: "{{ body.alerts[0].labels.alertname }}" },
    };
    expect(fillCommand(template, input(body))).toEqual({
      command: { type: "workflow.run", workflow: "hello", input: { name: "HighLatency" } },
    });
    expect(fillCommand(template, input({}))).toEqual({
      problem: { field: "/input/name", message: "{{ body.alerts[0].labels.alertname }} is missing from the request" },
    });
  });
});
