import { describe, expect, it } from "vitest";
import { renderText } from "../../src/bot/console/text-renderer.js";
import { renderResult } from "../../src/bot/render.js";
import type { ExecutionRecord } from "../../src/db/repositories/execution-repository.js";
import type { Result } from "../../src/orchestrator/results.js";

const now = { now: new Date("2026-11-21T12:00:00Z"), timeZone: "UTC" };

const execution = (overrides: Partial<ExecutionRecord> = {}): ExecutionRecord => ({
  id: "ex_0a1b2c3d",
  workflowName: "hello",
  workflowVersion: 2,
  status: "succeeded",
  input: { name: "Ada" },
  output: { greet: { text: "Hello, Ada!" } },
  errorCode: null,
  errorMessage: null,
  requestedBy: "U1",
  requestedByName: "Ada",
  platform: "console",
  channel: null,
  thread: null,
  leaseOwner: null,
  leaseExpiresAt: null,
  waitingFor: null,
  createdAt: new Date("2026-11-21T11:59:58Z"),
  startedAt: new Date("2026-11-21T11:59:58Z"),
  finishedAt: new Date("2026-11-21T11:59:59Z"),
  ...overrides,
});

describe("renderResult", () => {
  it("shows a finished run with its steps, input and greeting", () => {
    const result: Result = {
      type: "execution.show",
      detail: {
        execution: execution(),
        attempts: [
          {
            id: 1,
            executionId: "ex_0a1b2c3d",
            stepPath: "greet",
            stepKind: "tool",
            tool: "template",
            attempt: 1,
            status: "succeeded",
            input: { text: "Hello, Ada!" },
            output: { text: "Hello, Ada!" },
            errorCode: null,
            errorMessage: null,
            startedAt: new Date("2026-11-21T11:59:58.000Z"),
            finishedAt: new Date("2026-11-21T11:59:58.004Z"),
          },
        ],
        pendingSteps: [],
      },
    };
    const reply = renderResult(result, now);
    expect(reply.tone).toBe("success");
    expect(reply.text).toBe("✅ hello · ex_0a1b2c3d · succeeded — Hello, Ada!");
    const text = renderText(reply);
    expect(text).toContain("✅ greet (template) · succeeded · 4 ms");
    expect(text).toMatch(/input name\s+Ada/);
    expect(text).toContain("    Hello, Ada!");
  });

  it("lists agents without saying whether this process holds them in memory", () => {
    const agent = {
      id: "writer_9c1e",
      specialty: "writer",
      goal: "release notes",
      createdBy: "ada",
      lastUsedAt: new Date("2026-11-21T11:00:00Z"),
      live: false,
    };
    const reply = renderResult({ type: "agent.list", agents: [agent], specialties: [] } as never, now);
    expect(reply.text).toContain("`writer_9c1e` writer — release notes (by ada, used");
    expect(reply.text).not.toContain("evicted");
  });

  it("prints console text without markdown, bold around code included, cron stars kept", () => {
    const shown = renderText({
      text: "",
      tone: "info",
      ephemeral: false,
      blocks: [
        { type: "section", text: "*Replay against `ex_1`: succeeded*" },
        { type: "section", text: 'Add one with `/orchestrate schedule "0 9 * * 1-5" digest`.' },
      ],
    });
    expect(shown).toBe('Replay against ex_1: succeeded\nAdd one with /orchestrate schedule "0 9 * * 1-5" digest.');
  });

  it("gives an approval's deadline as a human time in the installation's zone", () => {
    const waiting = execution({
      status: "waiting",
      finishedAt: null,
      waitingFor: {
        kind: "approval",
        stepId: "confirm",
        prompt: "Ship it?",
        deadline: "2026-11-21T13:30:00.000Z",
        onTimeout: "reject",
      },
    });
    const text = renderText(
      renderResult({ type: "execution.show", detail: { execution: waiting, attempts: [], pendingSteps: [] } }, now),
    );
    expect(text).toContain("without a decision by 2026-11-21 13:30 UTC it is rejected");
    expect(text).not.toContain("13:30:00.000Z");
  });

  it("lists failures with their error and pending steps", () => {
    const reply = renderResult(
      {
        type: "execution.show",
        detail: {
          execution: execution({
            status: "failed",
            errorCode: "http_error",
            errorMessage: "GET http://x failed: connection refused.",
            finishedAt: null,
          }),
          attempts: [],
          pendingSteps: ["report"],
        },
      },
      now,
    );
    expect(reply.tone).toBe("error");
    const text = renderText(reply);
    expect(text).toContain("🕓 report · pending");
    expect(text).toContain("⚠️ GET http://x failed: connection refused.");
    expect(text).not.toContain("http_error");
  });

  it("renders help filtered to what the actor may run", () => {
    const reply = renderResult(
      {
        type: "help",
        restricted: true,
        roles: ["viewer"],
        entries: [
          {
            type: "status",
            access: "read",
            usage: "status",
            summary: "Running and waiting executions.",
          },
          { type: "agent.list", access: "read", usage: "agents", summary: "Active agents." },
        ],
      },
      now,
    );
    const text = renderText(reply);
    expect(reply.ephemeral).toBe(true);
    expect(text).toContain("• status — Running and waiting executions.");
    expect(text).toContain("• agents — Active agents.");
    expect(text).toContain("Showing what you may run here (viewer)");
  });

  it("says plainly when there is no history", () => {
    expect(renderResult({ type: "history", entries: [] }, now).text).toBe("No commands in the audit log yet.");
    expect(renderResult({ type: "history", entries: [], user: "lin" }, now).text).toBe(
      "No commands by lin in the audit log yet.",
    );
  });

  it("shows older timestamps in the configured time zone", () => {
    const reply = renderResult(
      { type: "history", entries: [historyEntry(new Date("2026-11-19T08:30:00Z"))] },
      { now: new Date("2026-11-21T12:00:00Z"), timeZone: "Europe/Berlin" },
    );
    expect(reply.text).toContain("2026-11-19 09:30 GMT+1 · Ada · “/orchestrate status” → status via grammar · ok");
  });
});

function historyEntry(at: Date) {
  return {
    id: 1,
    at,
    finishedAt: at,
    platform: "slack",
    workspace: null,
    channel: null,
    thread: null,
    actorId: "U1",
    actorName: "Ada",
    text: "/orchestrate status",
    dedupeKey: "k",
    command: { type: "status" },
    commandType: "status",
    resolvedBy: "grammar",
    confidence: 1,
    outcome: "ok" as const,
    errorCode: null,
    errorMessage: null,
    durationMs: 3,
    executionId: null,
    llmInputTokens: null,
    llmOutputTokens: null,
    llmCostUsd: null,
  };
}
