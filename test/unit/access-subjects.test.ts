import { describe, expect, it } from "vitest";
import { readChannel, readSubject } from "../../src/commands/access/subjects.js";

describe("grant subjects and channels are read as platform ids", () => {
  it.each([
    ["<@U0LIN>", "slack", { kind: "person", account: "slack:U0LIN" }],
    ["<@U0LIN|lin>", "slack", { kind: "person", account: "slack:U0LIN" }],
    ["<@!400000000000000001>", "discord", { kind: "person", account: "discord:400000000000000001" }],
    ["<@&400000000000000002>", "discord", { kind: "group", group: "discord:400000000000000002" }],
    ["<!subteam^S0ONCALL|@oncall>", "slack", { kind: "group", group: "slack:S0ONCALL" }],
    ["group:S0ONCALL", "slack", { kind: "group", group: "slack:S0ONCALL" }],
    ["group:discord:400000000000000002", "console", { kind: "group", group: "discord:400000000000000002" }],
    ["slack:U0LIN", "console", { kind: "person", account: "slack:U0LIN" }],
    ["@lin", "console", { kind: "person", account: "console:lin" }],
  ])("%s on %s", (written, platform, subject) => {
    expect(readSubject(written, platform)).toEqual({ ok: true, value: subject });
  });

  it.each([
    ["@lin", "slack", "`@lin` is not a slack user id; mention the person so slack sends their id."],
    ["discord:lin", "slack", "`discord:lin` is not a discord user id; mention the person so discord sends their id."],
    ["mars:1", "slack", "`mars:1` names no platform baton knows (slack, discord, console)."],
    ["group:S0x", "discord", "`group:S0x` is not a discord group id (a Slack user group `S…`, a Discord role id)."],
  ])("refuses %s on %s", (written, platform, message) => {
    expect(readSubject(written, platform)).toEqual({ ok: false, message });
  });

  it("reads channel mentions and ids, and refuses names where the platform sends ids", () => {
    expect(readChannel("<#C0OPS|ops>", "slack")).toEqual({ ok: true, value: "C0OPS" });
    expect(readChannel("<#400000000000000003>", "discord")).toEqual({ ok: true, value: "400000000000000003" });
    expect(readChannel("#ops", "console")).toEqual({ ok: true, value: "ops" });
    expect(readChannel("#ops", "slack")).toMatchObject({ ok: false });
    expect(readChannel("#ops", "discord")).toMatchObject({ ok: false });
  });

  it("refuses over-long and malformed mentions", () => {
    expect(readSubject(`<@${"U".repeat(50_000)}`, "slack").ok).toBe(false);
    expect(readChannel(`<#${"C|".repeat(50_000)}`, "slack").ok).toBe(false);
  });
});
