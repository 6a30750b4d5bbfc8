import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Command } from "../../src/commands/commands.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import { BatonError } from "../../src/errors.js";
import { createBuiltinTools } from "../../src/orchestrator/tools/registry.js";
import { parseWorkflowDefinition } from "../../src/orchestrator/workflow/definition.js";
import { renderValue, usesSecrets } from "../../src/orchestrator/workflow/template.js";
import {
  redactChatText,
  secretInChatMessage,
  typedSecrets,
  withoutTypedSecrets,
} from "../../src/secrets/chat-secrets.js";
import { loadSecretStore, SecretStore } from "../../src/secrets/secret-store.js";
import { tempDir } from "../support/cleanup.js";

const tools = createBuiltinTools();

function secretsFile(name: string, text: string): string {
  const file = join(tempDir("secrets"), name);
  writeFileSync(file, text);
  return file;
}

function failure(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error("expected an error");
}

describe("the secret store", () => {
  it("reads a YAML or JSON file and BATON_SECRET_<NAME> variables, the environment winning", () => {
    const yaml = secretsFile("secrets.yaml", "API_TOKEN: from-file-1234\nDB_PASSWORD: 'p@ss w0rd'\n");
    const store = loadSecretStore({ file: yaml, fromEnv: { API_TOKEN: "from-env-5678" } });
    expect(store.resolve("API_TOKEN")).toBe("from-env-5678");
    expect(store.resolve("DB_PASSWORD")).toBe("p@ss w0rd");
    const json = secretsFile("secrets.json", '{"HOOK": "json-value-1"}');
    expect(loadSecretStore({ file: json, fromEnv: {} }).names()).toEqual(["HOOK"]);
  });

  it("stops start-up on a bad file with one sentence naming the file and never a value", () => {
    const cases: Array<[string, RegExp]> = [
      ["API_TOKEN: [unclosed hunter2-value", /is not valid YAML or JSON/],
      ["- hunter2-value\n", /must be a map of NAME: value/],
      ["bad name: hunter2-value\n", /`bad name` is not a secret name/],
      ["API_TOKEN: { nested: hunter2-value }\n", /the value of `API_TOKEN` must be text/],
    ];
    for (const [text, expected] of cases) {
      const file = secretsFile("secrets.yaml", text);
      const error = failure(() => loadSecretStore({ file, fromEnv: {} }));
      expect(error).toBeInstanceOf(BatonError);
      expect((error as BatonError).code).toBe("config_invalid");
      expect(error.message).toMatch(expected);
      expect(error.message).toContain(file);
      expect(error.message).not.toContain("hunter2");
    }
    const missing = failure(() => loadSecretStore({ file: "/nonexistent/secrets.yaml", fromEnv: {} }));
    expect(missing.message).toBe("/nonexistent/secrets.yaml (BATON_SECRETS_FILE) cannot be read (ENOENT).");
  });

  it("fails a missing secret with one sentence naming it and how to add it", () => {
    const error = failure(() => SecretStore.empty().resolve("API_TOKEN")) as BatonError;
    expect(error.code).toBe("secret_missing");
    expect(error.message).toBe(
      "The secret `API_TOKEN` is not set; add `BATON_SECRET_API_TOKEN=…` to baton's environment or `API_TOKEN: …` to the BATON_SECRETS_FILE, then restart baton.",
    );
  });

  it("masks every known value, exact match, in strings at any depth", () => {
    const store = new SecretStore(
      new Map([
        ["API_TOKEN", "tok-1234567"],
        ["PIN", "42"],
      ]),
    );
    expect(store.mask({ body: ["echo tok-1234567!", { deep: "tok-1234567" }], n: 42, pin: "42" })).toEqual({
      body: ["echo [REDACTED:secret API_TOKEN]!", { deep: "[REDACTED:secret API_TOKEN]" }],
      n: 42,
      pin: "42",
    });
  });

  it("is configured from the environment, validating names and never echoing values", () => {
    const config = loadConfig({ BATON_SECRET_API_TOKEN: "abc-123", BATON_SECRETS_FILE: "./secrets.yaml" });
    expect(config.secrets).toEqual({ file: "./secrets.yaml", fromEnv: { API_TOKEN: "abc-123" } });
    const error = failure(() => loadConfig({ BATON_SECRET_9BAD: "hunter2-value" }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain("BATON_SECRET_9BAD: the name after BATON_SECRET_ must be letters");
    expect(error.message).not.toContain("hunter2");
  });
});

describe("{{ secrets.NAME }} in templates", () => {
  const scope = { input: { name: "Ada" }, steps: {} };
  const args = {
    url: "https://api.test/{{ input.name }}",
    headers: { authorization: "Bearer {{ secrets.API_TOKEN }}" },
  };

  it("stays as written without a resolver (what a step's stored input shows)", () => {
    expect(usesSecrets(args)).toBe(true);
    expect(usesSecrets({ text: "{{ input.name }}" })).toBe(false);
    expect(renderValue(args, scope)).toEqual({
      url: "https://api.test/Ada",
      headers: { authorization: "Bearer {{ secrets.API_TOKEN }}" },
    });
  });

  it("resolves only through the resolver the runner passes as the tool runs", () => {
    const store = new SecretStore(new Map([["API_TOKEN", "tok-1234567"]]));
    expect(renderValue(args, { ...scope, secrets: (name) => store.resolve(name) })).toEqual({
      url: "https://api.test/Ada",
      headers: { authorization: "Bearer tok-1234567" },
    });
  });

  it("never resolves a placeholder a person typed into an input", () => {
    const typed = { input: { name: "{{ secrets.API_TOKEN }}" }, steps: {}, secrets: () => "tok-1234567" };
    expect(renderValue({ text: "hi {{ input.name }}" }, typed)).toEqual({ text: "hi {{ secrets.API_TOKEN }}" });
  });

  it("is allowed in a tool step's with, and refused in prompts, conditions and child inputs", () => {
    const workflow = (step: string) => `name: w\ninputs:\n  key: { secret: true }\nsteps:\n  - id: s\n${step}\n`;
    const ok = parseWorkflowDefinition(
      workflow(
        '    tool: http.get\n    with: { url: "https://a.test", headers: { x-api-key: "{{ secrets.API_KEY }}" } }',
      ),
      "w",
      tools,
    );
    expect(ok.inputs.key?.secret).toBe(true);
    for (const step of [
      '    approval: { prompt: "ok {{ secrets.API_KEY }}?" }',
      '    tool: template\n    when: secrets.API_KEY == "x"\n    with: { text: "x" }',
      '    agent: { prompt: "use {{ secrets.API_KEY }}" }',
    ]) {
      const error = failure(() => parseWorkflowDefinition(workflow(step), "w", tools));
      expect(error.message).toMatch(/secret/);
    }
    const literal = failure(() =>
      parseWorkflowDefinition(
        workflow(
          '    tool: http.get\n    with: { url: "https://a.test", headers: { authorization: "Bearer abc123" } }',
        ),
        "w.yaml",
        tools,
      ),
    );
    expect(literal.message).toMatch(/field `with.headers.authorization`: holds a secret in clear/);
    expect(literal.message).not.toContain("abc123");
    const defaulted = failure(() =>
      parseWorkflowDefinition(
        "name: w\ninputs:\n  key: { secret: true, default: x }\nsteps:\n  - id: s\n    tool: template\n    with: { text: x }\n",
        "w",
        tools,
      ),
    );
    expect(defaulted.message).toMatch(/a `secret` input cannot have a `default`/);
    const keyDefault = failure(() =>
      parseWorkflowDefinition(
        "name: w\ninputs:\n  api_key: { default: abc123 }\nsteps:\n  - id: s\n    tool: template\n    with: { text: x }\n",
        "w",
        tools,
      ),
    );
    expect(keyDefault.message).toMatch(/holds a secret in clear/);
    expect(keyDefault.message).not.toContain("abc123");
  });
});

describe("secrets typed into chat", () => {
  const run = (input: Record<string, string>): Command => ({ type: "workflow.run", workflow: "deploy", input });
  const declared = (workflow: string) => new Set(workflow === "deploy" ? ["signing"] : []);

  it("finds inputs secret by name, by `secret: true` and by shape, and nothing else", () => {
    expect(
      typedSecrets(run({ token: "PlainOpaqueValue42", password: "CorrectHorseBattery", env: "prod" }), declared),
    ).toEqual(["token", "password"]);
    expect(typedSecrets(run({ signing: "abc" }), declared)).toEqual(["signing"]);
    expect(typedSecrets(run({ note: "redis://:pw1234@cache:6379" }), declared)).toEqual(["note"]);
    expect(typedSecrets(run({ token: "", env: "prod" }), declared)).toEqual([]);
    expect(typedSecrets({ type: "improve", feedback: "use password=hunter2 next time" }, declared)).toEqual([""]);
    expect(typedSecrets({ type: "improve", feedback: "run the basic healthcheck" }, declared)).toEqual([]);
  });

  it("keeps the command for the audit log with the typed values replaced", () => {
    expect(withoutTypedSecrets(run({ signing: "abc", env: "prod" }), ["signing"])).toEqual(
      run({ signing: "[REDACTED]", env: "prod" }),
    );
  });

  it("says in one sentence that nothing was stored and how to add a baton secret", () => {
    expect(secretInChatMessage(["token", "password"])).toBe(
      "baton did not store or run this request because `token` and `password` are secrets; add it as a baton secret instead (the environment variable `BATON_SECRET_TOKEN`, or the key `TOKEN` in the BATON_SECRETS_FILE) and have the workflow use `{{ secrets.TOKEN }}`.",
    );
    expect(secretInChatMessage([""])).toMatch(
      /because it contains something that looks like a secret; .*BATON_SECRET_NAME/,
    );
  });

  it("blanks `secret: true` inputs in the request text, in one pass", () => {
    const names = new Set(["signing"]);
    expect(redactChatText("/orchestrate run deploy signing=abc env=prod", names)).toBe(
      "/orchestrate run deploy signing=[REDACTED] env=prod",
    );
    expect(redactChatText('/orchestrate run deploy signing="a b" x=1', names)).toBe(
      "/orchestrate run deploy signing=[REDACTED] x=1",
    );
    expect(redactChatText("mysigning=abc a=signing=", names)).toBe("mysigning=abc a=signing=");
    const long = "a=".repeat(50_000);
    expect(redactChatText(long, names)).toBe(long);
  });
});
