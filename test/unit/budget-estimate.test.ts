import { describe, expect, it } from "vitest";
import { DEFAULT_PRICES } from "../../src/config-llm.js";
import { BudgetedChat, type CallEstimate, type SpendGuard } from "../../src/llm/budgeted-chat.js";
import type { ChatAnswer, ChatCall, ChatModel } from "../../src/llm/chat-model.js";
import type { LlmProvider, LlmRequest } from "../../src/llm/provider.js";
import { parseScope, scopesFor } from "../../src/orchestrator/budgets/scopes.js";
import { lineDiff } from "../../src/orchestrator/improve/line-diff.js";

/** A ChatModel that answers from a script and records what it was asked (the real providers are tested against the fakes). */
class ScriptedChat implements ChatModel {
  readonly calls: ChatCall[] = [];
  constructor(private readonly providers: LlmProvider[]) {}
  candidates(route: readonly string[], exclusive?: boolean): readonly LlmProvider[] {
    return exclusive ? this.providers.filter((p) => route.includes(p.name)) : this.providers;
  }
  async complete(_request: LlmRequest, call: ChatCall): Promise<ChatAnswer> {
    this.calls.push(call);
    if (call.route.includes("broken")) throw new Error("down");
    const usage = { inputTokens: 1000, outputTokens: 1000, cachedInputTokens: 0, cacheWriteTokens: 0 };
    return {
      provider: "anthropic",
      response: { model: "claude-haiku-4-5", text: "ok", toolCalls: [], usage, stopReason: null },
    };
  }
}

class RecordingGuard implements SpendGuard {
  readonly estimates: CallEstimate[] = [];
  readonly settled: number[] = [];
  async reserve(_call: ChatCall, estimate: CallEstimate) {
    this.estimates.push(estimate);
    return { settle: async (usd: number) => void this.settled.push(usd) };
  }
}

const provider = (name: string, model: string): LlmProvider => ({
  name,
  model,
  complete: async () => Promise.reject(),
});
const request: LlmRequest = { system: "x".repeat(400), tools: [], toolChoice: "auto", messages: [] };
const call: ChatCall = { purpose: "agent", route: [], auditId: null, actorId: "ada", channel: null };

describe("budgeted chat", () => {
  it("reserves the estimate at the dearest fallback's price and settles the actual cost", async () => {
    const inner = new ScriptedChat([provider("openai", "gpt-4.1-mini"), provider("anthropic", "claude-haiku-4-5")]);
    const guard = new RecordingGuard();
    const chat = new BudgetedChat(inner, guard, (m) => DEFAULT_PRICES[m], 100);
    await chat.complete(request, call);
    expect(guard.estimates[0]).toMatchObject({ model: "claude-haiku-4-5", inputTokens: 101, outputTokens: 100 });
    expect(guard.estimates[0]?.usd).toBeCloseTo((101 * 1 + 100 * 5) / 1e6, 9);
    expect(guard.settled[0]).toBeCloseTo((1000 * 1 + 1000 * 5) / 1e6, 9);
    const cheap = chat.estimate(request, { ...call, route: ["openai"], exclusive: true });
    expect(cheap.model).toBe("gpt-4.1-mini");
  });

  it("releases the reservation when the call fails", async () => {
    const guard = new RecordingGuard();
    const chat = new BudgetedChat(new ScriptedChat([provider("a", "m")]), guard, () => undefined, 10);
    await expect(chat.complete(request, { ...call, route: ["broken"] })).rejects.toThrow("down");
    expect(guard.settled).toEqual([0]);
  });
});

describe("budget scopes", () => {
  it("parse what people type and list what a call counts against", () => {
    expect(parseScope("#ops")).toBe("channel:ops");
    expect(parseScope("@ada")).toBe("user:ada");
    expect(parseScope("project:healthcheck")).toBe("project:healthcheck");
    expect(() => parseScope("team:x")).toThrow('"team:x" is not a budget scope');
    expect(scopesFor({ actorId: "ada", channel: "ops", workflow: "hc" })).toEqual([
      "global",
      "project:hc",
      "user:ada",
      "channel:ops",
    ]);
  });
});

describe("line diff", () => {
  it("marks removed lines before added ones under a hunk header", () => {
    expect(lineDiff("a\nb\nc\n", "a\nB\nc\nd")).toBe(["@@ -1,3 +1,4 @@", " a", "-b", "+B", " c", "+d"].join("\n"));
  });

  it("shows three lines of context around each change and leaves out the unchanged lines between", () => {
    const before = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const after = before.map((line) => (line === "line 2" || line === "line 25" ? `${line} changed` : line));
    const diff = lineDiff(before.join("\n"), after.join("\n"));
    expect(diff.split("\n")).toEqual([
      "@@ -1,5 +1,5 @@",
      " line 1",
      "-line 2",
      "+line 2 changed",
      " line 3",
      " line 4",
      " line 5",
      "@@ -22,7 +22,7 @@",
      " line 22",
      " line 23",
      " line 24",
      "-line 25",
      "+line 25 changed",
      " line 26",
      " line 27",
      " line 28",
    ]);
    expect(diff).not.toContain("line 13");
  });

  it("is empty when nothing changed", () => {
    expect(lineDiff("a\nb", "a\nb\n")).toBe("");
  });
});
