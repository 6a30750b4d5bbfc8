import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadHooksFile, resolveHookSecrets } from "../../src/config-hooks.js";
import { SecretStore } from "../../src/secrets/secret-store.js";
import { tempDir } from "../support/cleanup.js";

const dir = tempDir("hooks-file");
let count = 0;

function hooksFile(text: string): string {
  const file = join(dir, `hooks-${++count}.yaml`);
  writeFileSync(file, text);
  return file;
}

const GOOD = `
hooks:
  github-push:
    verify: { github: "{{ secrets.GITHUB_WEBHOOK_SECRET }}" }
    as: github
    channel: { platform: console, id: ops }
    command: { type: workflow.run, workflow: hello, input: { name: "{{ body.pusher.name }}" } }
`;

describe("BATON_HOOKS_FILE", () => {
  it("loads hooks with their secret by name and resolves it from the secret store", () => {
    const loaded = loadHooksFile(hooksFile(GOOD));
    expect(loaded.problems).toEqual([]);
    expect(loaded.hooks).toMatchObject([
      {
        name: "github-push",
        verify: { kind: "github", secretName: "GITHUB_WEBHOOK_SECRET" },
        as: "github",
        channel: { platform: "console", id: "ops" },
        delivery: null,
      },
    ]);
    const store = new SecretStore(new Map([["GITHUB_WEBHOOK_SECRET", "s3cret-value"]]));
    const resolved = resolveHookSecrets(loaded.hooks, store);
    expect(resolved.problems).toEqual([]);
    expect(resolved.hooks[0]?.verify).toEqual({ kind: "github", secret: "s3cret-value" });
  });

  it("names the file and field of an unknown secret, never a value", () => {
    const file = hooksFile(GOOD);
    const resolved = resolveHookSecrets(loadHooksFile(file).hooks, SecretStore.empty());
    expect(resolved.problems).toEqual([
      `BATON_HOOKS_FILE: ${file}: hooks.github-push.verify.github: no secret GITHUB_WEBHOOK_SECRET; set BATON_SECRET_GITHUB_WEBHOOK_SECRET or add it to BATON_SECRETS_FILE.`,
    ]);
  });

  it.each([
    ["hooks: [1, 2]", "hooks: expected hooks: { name: { verify, as, command } }."],
    [
      'hooks:\n  a:\n    verify: { github: "plain-text-secret" }\n    as: gh\n    command: { type: status }',
      'hooks.a.verify.github: write the secret as "{{ secrets.NAME }}", never its value.',
    ],
    [
      'hooks:\n  a:\n    verify: { github: "{{ secrets.A }}", bearer: "{{ secrets.B }}" }\n    as: gh\n    command: { type: status }',
      "hooks.a.verify: name exactly one of github, bearer, hmac.",
    ],
    [
      'hooks:\n  a:\n    verify: { bearer: "{{ secrets.A }}" }\n    as: "no spaces"\n    command: { type: status }',
      "hooks.a.as: a service identity is letters, digits, '.', '_' or '-'.",
    ],
    [
      'hooks:\n  a:\n    verify: { bearer: "{{ secrets.A }}" }\n    as: gh\n    command: { type: workflow.launch }',
      "hooks.a.command: command.type must name a command (e.g. workflow.run).",
    ],
    [
      'hooks:\n  a:\n    verify: { bearer: "{{ secrets.A }}" }\n    as: gh\n    command: { type: workflow.run, workflow: hello, input: { name: "{{ input.name }}" } }',
      'hooks.a.command.input.name: "{{ input.name }}" reads nothing; write {{ body.field }} or {{ headers.name }}.',
    ],
    [
      'hooks:\n  a:\n    verify: { bearer: "{{ secrets.A }}" }\n    as: gh\n    command: { type: status }\n    delivery: "{{ body.id"',
      'hooks.a.delivery: "{{" at character 1 is never closed.',
    ],
    [
      'hooks:\n  Bad_Name:\n    verify: { bearer: "{{ secrets.A }}" }\n    as: gh\n    command: { type: status }',
      "hooks.Bad_Name: a hook name is lower-case letters, digits, '_' or '-'.",
    ],
    [
      'hooks:\n  a:\n    verify: { bearer: "{{ secrets.A }}" }\n    as: gh\n    command: { type: status }\n    colour: blue',
      "hooks.a.colour",
    ],
  ])("refuses %j with one sentence naming the file and field", (text, expected) => {
    const file = hooksFile(text);
    const { hooks, problems } = loadHooksFile(file);
    expect(hooks).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`BATON_HOOKS_FILE: ${file}: ${expected}`);
  });

  it("refuses a file that is not YAML", () => {
    const file = hooksFile("hooks: {\n  a: [");
    expect(loadHooksFile(file).problems[0]).toMatch(/^BATON_HOOKS_FILE: .* cannot be read as YAML/);
  });

  it("loads the shipped examples", () => {
    const loaded = loadHooksFile("examples/hooks.yaml");
    expect(loaded.problems).toEqual([]);
    expect(loaded.hooks.map((hook) => hook.name)).toEqual(["github-push", "alertmanager"]);
  });
});
