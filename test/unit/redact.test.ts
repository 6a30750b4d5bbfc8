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
    expect(redactSecrets("Authorization: Bearer eyJhbGciOi.payload.sig")).toBe("Authorization: Bearer [REDACTED]");
    expect(redactSecrets("curl -H 'X: Bearer eyJhbGciOi.payload.sig'")).toBe(
      "curl -H 'X: Bearer [REDACTED:bearer-token]'",
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
    expect(redactSecrets("Authorization: Basic dXNlcjpwYXNz")).toBe("Authorization: Basic [REDACTED]");
    expect(redactSecrets("authorization Basic dXNlcjpwYXNz")).toBe("authorization Basic [REDACTED:basic-auth]");
    expect(redactSecrets("curl -H 'Basic YWxhZGRpbjpvcGVuc2VzYW1l'")).not.toContain("YWxhZGRpbjpvcGVuc2VzYW1l");
  });

  it("handles long pathological text (the regexes stay linear)", () => {
    const long = "a-".repeat(50_000);
    expect(redactSecrets(long)).toBe(long);
    expect(redactSecrets(`${"x".repeat(100_000)} password=hunter2`)).toMatch(/password=\[REDACTED\]$/);
  });
});

describe("shapes the patterns used to miss", () => {
  it.each([
    [
      "a fine-grained GitHub token",
      join("github_pat_", "11ABCDEFG0123456789abc_", "defghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUV"),
    ],
    ["an AWS temporary key id", join("ASIA", "QWERTYUIOPASDFGH")],
    ["an AWS access key id", join("AKIA", "IOSFODNN7EXAMPLE")],
    ["a bare AWS secret key", join("wJalrXUtnFEMI/K7MDENG/", "bPxRfiCYEXAMPLEKEY")],
  ])("removes %s", (_label, secret) => {
    const redacted = redactSecrets(`key ${secret} here`);
    expect(redacted).not.toContain(secret);
    expect(redacted).toMatch(/^key \[REDACTED:[a-z-]+\] here$/);
  });

  it("removes the password of a URL with no user name (redis://:pw@host) and with one", () => {
    expect(redactSecrets("cache at redis://:Sup3rPass@cache:6379/0 now")).toBe(
      "cache at redis://:[REDACTED:url-credentials]@cache:6379/0 now",
    );
    expect(redactSecrets("GET http://user:pw@example.com/x failed")).toBe(
      "GET http://user:[REDACTED:url-credentials]@example.com/x failed",
    );
    expect(redactSecrets("see https://example.com/a:b@c and mailto:x@y")).toBe(
      "see https://example.com/a:b@c and mailto:x@y",
    );
  });

  it("removes PEM private key blocks, even one that never ends", () => {
    const begin = join("-----BEGIN RSA ", "PRIVATE KEY-----");
    const end = join("-----END RSA ", "PRIVATE KEY-----");
    expect(redactSecrets(`a ${begin}\nMIIEow\nxyz\n${end} b`)).toBe("a [REDACTED:private-key] b");
    expect(redactSecrets(`a ${begin}\nMIIEow`)).toBe("a [REDACTED:private-key]");
  });

  it("keeps ordinary text that looks a little like a key", () => {
    for (const text of [
      "run the basic healthcheck",
      "commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 is deployed",
      "the docs live at https://example.com/docs/guides/getting-started/Install2",
      "we used 1200 tokens: fine",
      "the author: Ada",
    ]) {
      expect(redactSecrets(text)).toBe(text);
    }
  });
});

describe("redactValue by key name", () => {
  it.each([
    "token",
    "password",
    "PASSWD",
    "pwd",
    "api_key",
    "api-key",
    "apiKey",
    "API.KEY",
    "apikey",
    "client_secret",
    "credentials",
    "private_key",
    "auth",
    "Authorization",
    "auth_token",
    "x-api-key",
  ])("replaces the value under %s at any depth", (key) => {
    const value = { outer: [{ inner: { [key]: "PlainOpaqueValue42" } }] };
    expect(JSON.stringify(redactValue(value))).not.toContain("PlainOpaqueValue42");
    expect(redactValue(value).outer[0]?.inner[key]).toBe("[REDACTED]");
  });

  it("leaves ordinary keys, counts and non-text values alone", () => {
    const value = { author: "Ada", inputTokens: 1200, maxTokens: "800", name: "Ada", secret: true, at: new Date(0) };
    expect(redactValue(value)).toEqual(value);
    expect(redactValue(value).at).toBeInstanceOf(Date);
  });

  it("keeps a reference to a baton secret, which names the secret without holding it", () => {
    const value = { headers: { authorization: "Bearer {{ secrets.API_TOKEN }}" }, token: "{{ secrets.X }}" };
    expect(redactValue(value)).toEqual(value);
    expect(redactValue({ token: "{{ secrets.X }} hunter2" })).toEqual({ token: "[REDACTED]" });
  });

  it("keeps an empty value and a recognised shape's label", () => {
    const token = join("xoxb-", "123456789012-123456789012-", "AbCdEfGhIjKlMnOpQrStUvWx");
    expect(redactValue({ token: "", password: token })).toEqual({ token: "", password: "[REDACTED:slack-token]" });
  });
});

describe("redactSecrets stays correct on adversarial input (bench:input times it)", () => {
  it.each([
    ["authorization:", `authorization:${" ".repeat(40_000)}Basic ${join("dXNlcjpw", "YXNz")}`],
    ["tabs", `Authorization:${"\t".repeat(64_000)}Basic ${join("dXNlcjpw", "YXNz")}`],
  ])("finds a credential after a long whitespace run (%s)", (_label, text) => {
    expect(redactSecrets(text)).toMatch(/Basic \[REDACTED[^\]]*\]$/);
    expect(redactSecrets(text)).not.toContain("dXNlcjpw");
  });

  it.each(["authorization: ", "xoxb-", "http://a:", "Bearer ", "password=", "-----BEGIN ", "://@", "sk-"])(
    "returns repeated %j prefixes without hanging or losing text",
    (prefix) => {
      const text = prefix.repeat(20_000);
      const redacted = redactSecrets(text);
      expect(typeof redacted).toBe("string");
      expect(redacted.length).toBeGreaterThan(0);
    },
  );
});
