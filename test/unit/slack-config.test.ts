import { describe, expect, it } from "vitest";
import { type ConfigError, loadConfig } from "../../src/config.js";

describe("Slack configuration", () => {
  it("is off without SLACK_BOT_TOKEN", () => {
    expect(loadConfig({}).slack).toBeNull();
  });

  it("chooses Socket Mode with an app token and HTTP mode with a signing secret", () => {
    const socket = loadConfig({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" }).slack;
    expect(socket).toEqual({
      botToken: "xoxb-1",
      appToken: "xapp-1",
      signingSecret: null,
      apiUrl: null,
      port: 3000,
      sendIntervalMs: 1000,
    });
    const http = loadConfig({
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_SIGNING_SECRET: "0123456789abcdef",
      PORT: "8080",
      SLACK_API_URL: "http://127.0.0.1:9999/api",
    }).slack;
    expect(http).toMatchObject({ appToken: null, signingSecret: "0123456789abcdef", port: 8080 });
    expect(http?.apiUrl).toBe("http://127.0.0.1:9999/api/");
  });

  it("names what is missing or malformed, one sentence per variable", () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ SLACK_BOT_TOKEN: "xoxb-1" })).toEqual([
      "SLACK_BOT_TOKEN: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode) as well, so Slack can reach baton",
    ]);
    expect(problems({ SLACK_APP_TOKEN: "xapp-1" })[0]).toContain("SLACK_BOT_TOKEN: needed with SLACK_APP_TOKEN");
    expect(problems({ SLACK_BOT_TOKEN: "xapp-wrong", SLACK_APP_TOKEN: "xoxb-wrong" })).toEqual([
      "SLACK_BOT_TOKEN: expected a bot token starting with xoxb-",
      "SLACK_APP_TOKEN: expected an app-level token starting with xapp-",
    ]);
  });
});
