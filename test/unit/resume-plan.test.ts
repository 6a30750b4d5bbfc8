import { describe, expect, it } from "vitest";
import type { StepAttemptRecord } from "../../src/db/repositories/execution-repository.js";
import { createBuiltinTools } from "../../src/orchestrator/tools/registry.js";
import { parseWorkflowDefinition } from "../../src/orchestrator/workflow/definition.js";
import { planResume } from "../../src/orchestrator/workflow/resume.js";

const tools = createBuiltinTools();
const definition = parseWorkflowDefinition(
  [
    "name: plan",
    "steps:",
    "  - id: fetch",
    "    tool: http.get",
    '    with: { url: "http://127.0.0.1:1/" }',
    "    retry: { maxAttempts: 3 }",
    "  - id: post",
    "    tool: http.post",
    '    with: { url: "http://127.0.0.1:1/" }',
    "  - id: ask",
    "    approval: { prompt: Go? }",
  ].join("\n"),
  "plan",
  tools,
);

let ids = 0;
function attempt(
  stepPath: string,
  n: number,
  status: string,
  extra: Partial<StepAttemptRecord> = {},
): StepAttemptRecord {
  ids += 1;
  return {
    id: ids,
    executionId: "ex_1",
    stepPath,
    stepKind: stepPath === "ask" ? "approval" : "tool",
    tool: null,
    attempt: n,
    status,
    input: null,
    output: null,
    errorCode: null,
    errorMessage: null,
    startedAt: new Date(),
    finishedAt: null,
    ...extra,
  };
}

const plan = (attempts: StepAttemptRecord[], retryBlocked = false) =>
  planResume(definition, attempts, tools, { retryBlocked });

describe("planResume", () => {
  it("restores finished steps and runs the next one", () => {
    const result = plan([attempt("fetch", 1, "succeeded", { output: { status: 200 } })]);
    expect([...result.done]).toEqual(["fetch"]);
    expect(result.outputs).toEqual({ fetch: { status: 200 } });
    expect(result).toMatchObject({ blocked: null, failed: null, waiting: null });
  });

  it("retries a failure that still has attempts left, continuing the numbering", () => {
    const result = plan([attempt("fetch", 1, "failed", { errorCode: "http_error" })]);
    expect(result.done.size).toBe(0);
    expect(result.nextAttempt).toEqual({ fetch: 2 });
    expect(result.failed).toBeNull();
  });

  it("fails the run when the failure was final: attempts used up, or not retryable", () => {
    expect(plan([attempt("fetch", 3, "failed", { errorCode: "http_error", errorMessage: "down" })]).failed).toEqual({
      code: "http_error",
      message: "down",
    });
    expect(
      plan([attempt("fetch", 1, "failed", { errorCode: "non_retriable", errorMessage: "no" })]).failed,
    ).toMatchObject({
      code: "non_retriable",
    });
  });

  it("blocks on a cut-off step whose tool is not safe to repeat, unless a person said so", () => {
    const attempts = [attempt("fetch", 1, "succeeded"), attempt("post", 1, "interrupted")];
    expect(plan(attempts).blocked).toEqual({ stepId: "post", tool: "http.post" });
    expect(plan(attempts, true).blocked).toBeNull();
    expect(plan([attempt("fetch", 1, "interrupted")]).blocked).toBeNull();
  });

  it("waits again for an approval that was open when the process died", () => {
    const request = { prompt: "Go?", approvers: null, allowRequester: true, onTimeout: "reject", deadline: null };
    const attempts = [
      attempt("fetch", 1, "succeeded"),
      attempt("post", 1, "succeeded"),
      attempt("ask", 1, "waiting", { input: request }),
    ];
    expect(plan(attempts).waiting).toEqual({ kind: "approval", stepId: "ask", attemptId: ids, ...request });
  });
});
