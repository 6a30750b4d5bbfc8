import { describe, expect, it } from "vitest";
import { redactSecrets, redactValue } from "../../src/redact.js";

// Built at run time so no secret-shaped literal sits in the repository.
const join = (...parts: string[]) => parts.join("");

describe("redactSecrets", () => {
  it.each([
    ["a Slack bot token", join("xoxb-", "123456789012-123456789012-", "AbCdEfGhIjKlMnOpQrStUvWx")],
    ["a Slack user token", join("xoxp-", "123456789012-123456789012-", "123456789012-abcdef0123456789")],
    ["a Slack app-level token", join("xapp-1-", "A0123456789-1234567890123-", "abcdef0123456789abcdef")],
    ["an Anthropic key", join("sk-ant-", "api03-", "AbCdEfGhIjKlMnOpQrStUvWxYz012345")],
    ["an OpenAI project key", join("sk-proj-", "AbCdEfGhIjKlMnOpQrStUvWxYz012345")],
    ["an OpenAI key", join("sk-", "AbCdEfGhIjKlMnOpQrStUvWxYz012345")],
    ["a Discord bot token", join("MTk4NjIyNDgzNDcxOTI1MjQ4", ".Cl2FMQ.", "ZnCjm1XVW7vRze4b7Cq4se7kKWs")],
  ])("removes %s", (_label, secret) => {
    const redacted = redactSecrets(`please use ${secret} for the deploy`);
    expect(redacted).not.toContain(secret);
    expect(redacted).toMatch(/^please use \[REDACTED:[a-z-]+\] for the deploy$/);
  });

  it("removes password=… and similar assignments, keeping the key", () => {
    expect(redactSecrets("/orchestrate run deploy password=hunter2 env=prod")).toBe(
      "/orchestrate run deploy password=[REDACTED] env=prod",
    );
    expect(redactSecrets('api_key: "abc def" client_secret=xyz')).toBe("api_key: [REDACTED] client_secret=[REDACTED]");
  });

  it("removes bearer tokens and URL credentials", () => {
    expect(redactSecrets("Authorization: Bearer eyJhbGciOi.payload.sig")).toBe(
      "Authorization: Bearer [REDACTED:bearer-token]",
    );
    expect(redactSecrets("DATABASE_URL=postgres://bob:s3cret@db:5432/x")).not.toContain("s3cret");
  });

  it("leaves ordinary requests alone", () => {
    for (const text of [
      "/orchestrate run hello name=Ada",
      "what's running?",
      "show me the last 5 commands",
      "run the healthcheck for https://api.example.com/health",
    ]) {
      expect(redactSecrets(text)).toBe(text);
    }
  });

  it("redacts every string inside a command", () => {
    const secret = join("xoxb-", "123456789012-123456789012-", "AbCdEfGhIjKlMnOpQrStUvWx");
    expect(redactValue({ type: "workflow.run", input: { token: secret, name: "Ada" } })).toEqual({
      type: "workflow.run",
      input: { token: "[REDACTED:slack-token]", name: "Ada" },
    });
  });
});

describe("redactSecrets on hostile input", () => {
  it("keeps ordinary words after 'basic' and removes real Basic credentials", () => {
    expect(redactSecrets("run the basic healthcheck")).toBe("run the basic healthcheck");
    expect(redactSecrets("Authorization: Basic dXNlcjpwYXNz")).toBe("Authorization: Basic [REDACTED:basic-auth]");
    expect(redactSecrets("curl -H 'Basic YWxhZGRpbjpvcGVuc2VzYW1l'")).not.toContain("YWxhZGRpbjpvcGVuc2VzYW1l");
  });

  it("handles long pathological text (the regexes stay linear)", () => {
    const long = "a-".repeat(50_000);
    expect(redactSecrets(long)).toBe(long);
    expect(redactSecrets(`${"x".repeat(100_000)} password=hunter2`)).toMatch(/password=\[REDACTED\]$/);
  });
});
