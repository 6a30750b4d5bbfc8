import { describe, expect, it } from "vitest";
import { decodeAction } from "../../src/bot/actions.js";
import { DISCORD_LIMITS, discordMarkdown, renderDiscordMessage } from "../../src/bot/discord/discord-renderer.js";
import { errorReply, reply } from "../../src/bot/reply.js";

function embedSize(embed: { title?: string; description?: string; fields?: Array<{ name: string; value: string }> }) {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0)
  );
}

describe("Discord renderer", () => {
  it("renders a header as the title, sections, lists and context in the description, fields as fields", () => {
    const body = renderDiscordMessage(
      reply(
        "status",
        [
          { type: "header", text: "baton status" },
          { type: "fields", fields: [{ label: "Running", value: "2" }] },
          { type: "section", text: "Started *healthcheck* as `ex_1*2*`" },
          { type: "list", items: ["one", "two"] },
          { type: "context", text: "Run it again later." },
        ],
        { tone: "success" },
      ),
    );
    const [embed] = body.embeds;
    expect(embed?.title).toBe("baton status");
    expect(embed?.description).toBe("Started **healthcheck** as `ex_1*2*`\n• one\n• two\n-# Run it again later.");
    expect(embed?.fields).toEqual([{ name: "Running", value: "2", inline: true }]);
    expect(embed?.color).toBe(0x57f287);
    expect(body.components).toEqual([]);
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.flags).toBeUndefined();
  });

  it("turns buttons into an action row whose custom ids decode back to the action", () => {
    const body = renderDiscordMessage(
      reply("waiting", [
        {
          type: "actions",
          buttons: [
            { label: "Approve", style: "primary", action: { kind: "approve", execution: "ex_12ab34cd" } },
            { label: "Reject", style: "danger", action: { kind: "reject", execution: "ex_12ab34cd" } },
          ],
        },
      ]),
    );
    const buttons = body.components[0]?.components ?? [];
    expect(buttons.map((b) => [b.label, b.style, decodeAction(b.custom_id)])).toEqual([
      ["Approve", 1, { kind: "approve", execution: "ex_12ab34cd" }],
      ["Reject", 4, { kind: "reject", execution: "ex_12ab34cd" }],
    ]);
    for (const b of buttons) expect(b.custom_id.length).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
  });

  it("marks ephemeral replies (errors) with the ephemeral flag and the error colour", () => {
    const body = renderDiscordMessage(errorReply("No such workflow."));
    expect(body.flags).toBe(64);
    expect(body.embeds[0]?.color).toBe(0xed4245);
    expect(body.embeds[0]?.description).toBe("No such workflow.");
  });

  it("uses the plain text when a reply has no blocks", () => {
    expect(renderDiscordMessage(reply("Hello *there*")).embeds[0]?.description).toBe("Hello **there**");
  });

  it("keeps long replies within Discord's limits and says what was left out", () => {
    const items = Array.from({ length: 400 }, (_, n) => `execution ex_${n} ${"x".repeat(20)}`);
    const fields = Array.from({ length: 40 }, (_, n) => ({ label: `field ${n}`, value: "y".repeat(300) }));
    const body = renderDiscordMessage(
      reply("big", [
        { type: "header", text: "h".repeat(400) },
        { type: "list", items },
        { type: "fields", fields },
        { type: "code", text: "z".repeat(10_000) },
      ]),
    );
    const [embed] = body.embeds;
    expect(embed?.title?.length).toBe(DISCORD_LIMITS.title);
    expect(embed?.description?.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(embed?.description).toMatch(/more lines not shown$/);
    expect((embed?.fields ?? []).length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    expect(embedSize(embed ?? {})).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
  });

  it("cuts a single oversized code block instead of dropping it", () => {
    const body = renderDiscordMessage(reply("log", [{ type: "code", text: "z".repeat(10_000) }]));
    expect(body.embeds[0]?.description?.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(body.embeds[0]?.description).toMatch(/^```\nzzz/);
  });

  it("splits more than five buttons into rows of five", () => {
    const buttons = Array.from({ length: 7 }, (_, n) => ({
      label: `b${n}`,
      style: "default" as const,
      action: { kind: "approve" as const, execution: `ex_${n}` },
    }));
    const body = renderDiscordMessage(reply("many", [{ type: "actions", buttons }]));
    expect(body.components.map((row) => row.components.length)).toEqual([5, 2]);
  });

  it("adds extra context lines (who decided) under the reply", () => {
    const body = renderDiscordMessage(reply("Approved."), ["Approved by <@1> at <t:0:f>"]);
    expect(body.embeds[0]?.description).toBe("Approved.\n-# Approved by <@1> at <t:0:f>");
  });

  it("leaves asterisks inside code spans alone", () => {
    expect(discordMarkdown("*a* `*b*` c*d")).toBe("**a** `*b*` c*d");
  });
});
