import { describe, expect, it } from "vitest";
import { decodeAction } from "../../src/bot/actions.js";
import { reply } from "../../src/bot/reply.js";
import { escapeMrkdwn, markDecided, renderBlocks, renderMessage } from "../../src/bot/slack/block-kit.js";

describe("Block Kit renderer", () => {
  it("maps each reply block to its Slack block", () => {
    const blocks = renderBlocks(
      reply("status", [
        { type: "header", text: "baton status" },
        { type: "section", text: "*Running*: `ex_1`" },
        { type: "fields", fields: [{ label: "Mode", value: "manual" }] },
        { type: "list", items: ["one", "two"] },
        { type: "code", text: "Hello" },
        { type: "context", text: "as of now" },
        { type: "divider" },
      ]),
    );
    expect(blocks).toEqual([
      { type: "header", text: { type: "plain_text", text: "baton status", emoji: true } },
      { type: "section", text: { type: "mrkdwn", text: "*Running*: `ex_1`" } },
      { type: "section", fields: [{ type: "mrkdwn", text: "*Mode*\nmanual" }] },
      { type: "section", text: { type: "mrkdwn", text: "• one\n• two" } },
      { type: "section", text: { type: "mrkdwn", text: "```Hello```" } },
      { type: "context", elements: [{ type: "mrkdwn", text: "as of now" }] },
      { type: "divider" },
    ]);
  });

  it("turns actions into buttons whose action_id decodes back to the action", () => {
    const [block] = renderBlocks(
      reply("waiting", [
        {
          type: "actions",
          buttons: [
            { label: "Approve", style: "primary", action: { kind: "approve", execution: "ex_12ab" } },
            { label: "Reject", style: "danger", action: { kind: "reject", execution: "ex_12ab" } },
            { label: "Later", style: "default", action: { kind: "decline", token: "t1" } },
          ],
        },
      ]),
    );
    const elements = (block as { elements: Array<Record<string, unknown>> }).elements;
    expect(block?.type).toBe("actions");
    expect(elements.map((e) => [e.action_id, e.style])).toEqual([
      ["baton:approve:ex_12ab", "primary"],
      ["baton:reject:ex_12ab", "danger"],
      ["baton:decline:t1", undefined],
    ]);
    expect(decodeAction(String(elements[0]?.action_id))).toEqual({ kind: "approve", execution: "ex_12ab" });
  });

  it("escapes Slack's control characters and keeps within Slack's limits", () => {
    expect(escapeMrkdwn("a < b & c > d")).toBe("a &lt; b &amp; c &gt; d");
    const long = "x".repeat(5000);
    const [header, section] = renderBlocks(
      reply("long", [
        { type: "header", text: long },
        { type: "section", text: long },
      ]),
    );
    expect((header as { text: { text: string } }).text.text).toHaveLength(150);
    expect((section as { text: { text: string } }).text.text).toHaveLength(3000);
    const fields = Array.from({ length: 12 }, (_, i) => ({ label: `f${i}`, value: String(i) }));
    expect(renderBlocks(reply("f", [{ type: "fields", fields }]))).toHaveLength(2);
    const items = Array.from({ length: 400 }, (_, i) => `item number ${i} with some words`);
    const lists = renderBlocks(reply("l", [{ type: "list", items }]));
    expect(lists.length).toBeGreaterThan(1);
    for (const s of lists) expect((s as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
  });

  it("cuts past 50 blocks but keeps the buttons", () => {
    const many = Array.from({ length: 70 }, (_, i) => ({ type: "section" as const, text: `s${i}` }));
    const blocks = renderBlocks(
      reply("many", [
        ...many,
        {
          type: "actions",
          buttons: [{ label: "Approve", style: "primary", action: { kind: "approve", execution: "ex_1" } }],
        },
      ]),
    );
    expect(blocks).toHaveLength(50);
    expect(blocks.at(-1)?.type).toBe("actions");
  });

  it("renders the fallback text and marks a decided message without its buttons", () => {
    const message = renderMessage(
      reply("Approve <ex_1>?", [
        { type: "section", text: "Ship it?" },
        {
          type: "actions",
          buttons: [{ label: "Approve", style: "primary", action: { kind: "approve", execution: "ex_1" } }],
        },
      ]),
    );
    expect(message.text).toBe("Approve &lt;ex_1&gt;?");
    const decided = markDecided(message.blocks, "✅ Approved by <@U1> at 12:00");
    expect(decided.map((b) => b.type)).toEqual(["section", "context"]);
    expect(decided[1]).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "✅ Approved by <@U1> at 12:00" }],
    });
  });
});
