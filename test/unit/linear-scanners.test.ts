import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withoutMention } from "../../src/bot/slack/slack-requests.js";
import { renderTemplate, templatePaths } from "../../src/orchestrator/workflow/template.js";
import { parseCommandText } from "../../src/routing/grammar.js";
import { RulesRouter } from "../../src/routing/rules.js";
import { inOrder, quotable, toUtterance, trimValue, urlsIn } from "../../src/routing/rules-text.js";
import type { RouteContext } from "../../src/routing/types.js";
import { truncate, withoutMassMentions } from "../../src/text.js";

/**
 * Issue 12 item 2: the regexes that backtracked on long input were rewritten (a lookbehind guard
 * so a run is tried once from its start, `[^<>]` so markup stops at the next `<`, forward scans
 * in place of `.*`). These tests hold what each one means on the inputs that made it slow; how
 * fast they run is `npm run bench:input`'s business, not a test's.
 */

const router = new RulesRouter();
const context: RouteContext = {
  actorId: "U1",
  actorName: "ada",
  workflows: [{ name: "hello", inputs: [{ name: "name", required: true }] }],
};

/** The patterns these replaced, as they were: the reference for what the rewrites must still mean. */
const BEFORE = {
  trimValue: (value: string) =>
    value
      .trim()
      .replace(/[\s.,;:!?]+$/, "")
      .replace(/^(["'])(.*)\1$/, "$2")
      .trim(),
  urlsIn: (text: string) =>
    Array.from(text.matchAll(/\bhttps?:\/\/[^\s<>"'|,]+/gi), (m) => m[0].replace(/[.;:!?)\]]+$/, "")),
  template: /\{\{([\s\S]*?)\}\}/g,
};

const punctuation = fc
  .array(
    fc.constantFrom(" ", "\t", "\n", ".", ",", ";", ":", "!", "?", ")", "]", "a", "b", '"', "'", "http://a.b/", "x"),
    {
      maxLength: 60,
    },
  )
  .map((parts) => parts.join(""));

describe("trimValue (trailing run, tried once from its start)", () => {
  it("means what the backtracking pattern meant", () => {
    fc.assert(fc.property(punctuation, (value) => trimValue(value) === BEFORE.trimValue(value)));
  });

  it("trims a long run of spaces, dots and commas that does not end the value", () => {
    expect(trimValue(`Ada${" ".repeat(40_000)}Lovelace`)).toBe(`Ada${" ".repeat(40_000)}Lovelace`);
    expect(trimValue(`Ada${".,;".repeat(20_000)}`)).toBe("Ada");
    expect(trimValue(`"Ada${"\t".repeat(64_000)}x"`)).toBe(`Ada${"\t".repeat(64_000)}x`);
  });
});

describe("urlsIn (trailing punctuation off each URL)", () => {
  it("means what the backtracking pattern meant", () => {
    fc.assert(fc.property(punctuation, (text) => JSON.stringify(urlsIn(text)) === JSON.stringify(BEFORE.urlsIn(text))));
  });

  it("keeps a URL whose dots run long before its end", () => {
    const url = `https://example.com/${".".repeat(30_000)}x`;
    expect(urlsIn(`check ${url}.`)).toEqual([url]);
  });

  it("reads one URL past the healthcheck's 50, so the tool refuses the list instead of a silent cut", () => {
    const many = Array.from({ length: 5000 }, (_, i) => `https://h${i}.example.com/`).join(" ");
    const urls = urlsIn(many);
    expect(urls).toHaveLength(51);
    expect(urls[50]).toBe("https://h50.example.com/");
  });
});

describe("toUtterance (chat markup, tidy ends, plain form)", () => {
  it("reads Slack links and broadcasts that close, and leaves unclosed ones as text", () => {
    expect(toUtterance("<https://example.com|the site> is down").text).toBe("https://example.com is down");
    expect(toUtterance("status <!here>").plain).toBe("status");
    const unclosed = "<http://a|".repeat(10_000);
    expect(toUtterance(unclosed).text).toBe(unclosed.trim());
    expect(toUtterance("<!here".repeat(10_000)).text.startsWith("<!here<!here")).toBe(true);
  });

  it("drops runs of dots, dashes and commas at word ends, however long", () => {
    expect(toUtterance(`status${".".repeat(50_000)}`).plain).toBe("status");
    expect(toUtterance(`status${"-".repeat(50_000)} now`).plain).toBe("status now");
    expect(toUtterance(`status${", ".repeat(30_000)}`).text).toBe("status");
    expect(toUtterance(`a${".".repeat(30_000)}b`).plain).toBe(`a${".".repeat(30_000)}b`);
  });

  it("reads all of a long message (nothing is cut off before the rules see it)", () => {
    const long = `${"x ".repeat(5000)}what's running?`;
    expect(toUtterance(long).plain.endsWith("whats running")).toBe(true);
  });
});

describe("quotable and withoutMassMentions (each <…> runs to its first >, scanned forward)", () => {
  it("never leaves a broadcast that pings, even in nested or unclosed markup", () => {
    const markup = fc
      .array(fc.constantFrom("<!here>", "<!channel|x>", "<!everyone", "@here", "<", ">", "|", "a", " ", "<@U1|ada>"), {
        maxLength: 30,
      })
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(markup, (text) => {
        const safe = withoutMassMentions(text);
        return (
          !/<!(?:here|channel|everyone)[^<>]*>/i.test(safe) && !/(?<!\u200b)@(?:here|channel|everyone)\b/i.test(safe)
        );
      }),
    );
    expect(quotable("<!here>".repeat(3))).not.toMatch(/(?<!\u200b)@here/);
  });

  it("reads nested markup as Slack does, to the first >, so nothing inside can ping", () => {
    expect(withoutMassMentions("<!everyone<!here>>")).toBe("@\u200beveryone>");
    expect(quotable("hi <@U1|<!here>> there")).toBe("hi @@\u200bhere there");
  });

  it("rewrites closed mentions and leaves a long unclosed run alone", () => {
    expect(withoutMassMentions("<!here|here> ship it")).toBe("@\u200bhere ship it");
    const unclosed = "<!here".repeat(20_000);
    expect(withoutMassMentions(unclosed)).toBe(unclosed);
    expect(quotable("<#C1|ops> and <@U2|grace>")).toBe("#ops and @grace");
  });
});

describe("Slack mention stripping", () => {
  it("strips the bot's own mention, labelled or not, and stops an unclosed one at the next <", () => {
    expect(withoutMention("<@U1> status", "U1")).toBe("status");
    expect(withoutMention("<@U1|baton> status", "U1")).toBe("status");
    expect(withoutMention("<@U1|<@U1> status", "U1")).toBe("<@U1| status");
    expect(withoutMention("<@U1|".repeat(20_000), "U1")).toBe("<@U1|".repeat(20_000));
    expect(withoutMention("  <@U9|x> run hello", null)).toBe("run hello");
  });
});

describe("inOrder (what `a.*b.*c` asks, scanned forward once)", () => {
  const g = (source: string) => new RegExp(source, "g");

  it("finds each pattern after the end of the one before", () => {
    expect(inOrder("post the digest", [g("\\bpost\\b"), g("\\bdigest\\b")])?.map((m) => m.index)).toEqual([0, 9]);
    expect(inOrder("digest then post", [g("\\bpost\\b"), g("\\bdigest\\b")])).toBeNull();
    expect(inOrder("postdigest", [g("\\bpost\\b"), g("\\bdigest\\b")])).toBeNull();
    expect(inOrder("send a summary to #ops", [g("\\bsend\\b"), g("\\bsummary\\b"), g("#")])).not.toBeNull();
    expect(inOrder("send #ops a summary", [g("\\bsend\\b"), g("\\bsummary\\b"), g("#")])).toBeNull();
  });

  it("answers for a message that repeats the first pattern and never the second", () => {
    expect(inOrder("post ".repeat(20_000), [g("\\bpost\\b"), g("\\bdigest\\b")])).toBeNull();
  });
});

describe("the digest and retire rules (forward scans in place of .*)", () => {
  it("still routes a digest request and a retire-by-id sentence", async () => {
    expect(await router.route("please post the status digest to #ops", context)).toMatchObject({
      command: { type: "digest", channel: "#ops" },
    });
    expect(await router.route("share a quick summary in #ops", context)).toMatchObject({ command: { type: "digest" } });
    expect(await router.route("ag_3 can be retired now", context)).toMatchObject({
      command: { type: "agent.retire", agent: "ag_3" },
    });
  });

  it("does not join an id and a verb across a sentence end, nor guess when there is no verb", async () => {
    const split = await router.route("ag_3 is busy. the old one can be retired", context);
    expect(split.kind === "command" && split.command.type === "agent.retire").toBe(false);
    const later = await router.route("ag_3 is busy. ag_4 can be retired", context);
    expect(later).toMatchObject({ command: { type: "agent.retire", agent: "ag_4" } });
    const none = await router.route("ag_1 ".repeat(20_000), context);
    expect(none.kind === "command" && none.command.type === "agent.retire").toBe(false);
    const noDigest = await router.route("post ".repeat(20_000), context);
    expect(noDigest.kind === "command" && noDigest.command.type === "digest").toBe(false);
  });
});

describe("the grammar's trailing punctuation on a verb", () => {
  it("reads `status?!` and refuses a verb trailed by a long run of dots without hanging", () => {
    expect(parseCommandText("/orchestrate status?!")).toMatchObject({ kind: "command", command: { type: "status" } });
    expect(parseCommandText(`/orchestrate status${".".repeat(3000)}`)).toMatchObject({ command: { type: "status" } });
    expect(parseCommandText(`/orchestrate a${".".repeat(30_000)}b`).kind).not.toBe("command");
  });
});

describe("template placeholders (indexOf scan in place of a lazy regex)", () => {
  it("finds the same placeholders the lazy regex found", () => {
    const pieces = fc
      .array(fc.constantFrom("{{", "}}", "{", "}", " input.a ", "input.b", "x", " ", "|"), { maxLength: 30 })
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(pieces, (text) => {
        const before = Array.from(text.matchAll(BEFORE.template), (m) => (m[1] ?? "").trim());
        let paths: string[] | string;
        try {
          paths = templatePaths(text);
        } catch {
          paths = "invalid";
        }
        // Every placeholder the regex saw is one this scan saw (or the text is refused as a whole).
        return paths === "invalid" || before.filter((p) => /^input\.[ab]$/.test(p)).every((p) => paths.includes(p));
      }),
    );
  });

  it("renders a placeholder after many braces, and refuses a long run of unclosed ones", () => {
    expect(renderTemplate("{{ input.name }}!", { input: { name: "Ada" }, steps: {} })).toBe("Ada!");
    expect(() => renderTemplate("{{".repeat(50_000), { input: {}, steps: {} })).toThrow(/without a matching/);
  });
});

describe("truncate (one pass that stops at the limit)", () => {
  const before = (text: string, max: number) => {
    const single = text.replace(/\s+/g, " ").trim();
    return single.length <= max ? single : `${single.slice(0, max - 1)}…`;
  };

  it("means what the regex form meant, for any whitespace and any limit", () => {
    const text = fc
      .array(fc.constantFrom(" ", "\t", "\n", "\u00a0", "\u2028", "\ufeff", "\u3000", "a", "b", "é", "😀"), {
        maxLength: 40,
      })
      .map((parts) => parts.join(""));
    fc.assert(fc.property(text, fc.integer({ min: 1, max: 30 }), (t, max) => truncate(t, max) === before(t, max)));
  });

  it("cuts a long message at the limit", () => {
    expect(truncate(`${"a ".repeat(50_000)}`, 10)).toBe("a a a a a…");
    expect(truncate(`  ${"\t".repeat(64_000)}ok  `, 10)).toBe("ok");
  });
});
