import type { ExecutionRecord, StepAttemptRecord } from "../db/repositories/execution-repository.js";
import type { ExecutionDetail } from "../orchestrator/results.js";
import { formatDuration, formatTimestamp, formatWhen, icon, type RenderTime, truncate } from "./format.js";
import { type Reply, type ReplyBlock, reply, type Tone } from "./reply.js";

const TONE: Record<string, Tone> = {
  succeeded: "success",
  failed: "error",
  interrupted: "warning",
  cancelled: "warning",
};

/** For a waiting run: what it waits for, in a few words. */
function waitsFor(execution: ExecutionRecord): string {
  const wait = execution.waitingFor;
  if (execution.status !== "waiting" || !wait) return "";
  if (wait.kind === "approval") return ` — approval: ${truncate(String(wait.prompt), 120)}`;
  if (wait.kind === "budget") return ` — paused by a budget at step \`${String(wait.stepId)}\``;
  return ` — decide whether step \`${String(wait.stepId)}\` runs again (approve) or the run fails (reject)`;
}

export function executionLine(execution: ExecutionRecord, time: RenderTime): string {
  const who = execution.requestedByName ?? execution.requestedBy;
  return `${icon(execution.status)} \`${execution.id}\` *${execution.workflowName}* v${execution.workflowVersion} — ${execution.status}, ${formatWhen(execution.createdAt, time)} by ${who}${waitsFor(execution)}`;
}

function elapsed(execution: ExecutionRecord, now: Date): number {
  const start = execution.startedAt ?? execution.createdAt;
  return (execution.finishedAt ?? now).getTime() - start.getTime();
}

function attemptLine(attempt: StepAttemptRecord, now: Date): string {
  const took = formatDuration((attempt.finishedAt ?? now).getTime() - attempt.startedAt.getTime());
  const tool = attempt.tool ? ` (${attempt.tool})` : "";
  const error = attempt.errorMessage ? ` — ${truncate(attempt.errorMessage, 200)}` : "";
  const which = attempt.attempt > 1 ? ` attempt ${attempt.attempt}` : "";
  return `${icon(attempt.status)} ${attempt.stepPath}${tool}${which} · ${attempt.status} · ${took}${error}`;
}

/** The text a person most wants from a finished run: the last step's `text` or `summary`, if any. */
export function headlineOutput(detail: ExecutionDetail): string | null {
  const last = [...detail.attempts].reverse().find((a) => a.status === "succeeded");
  const output = last?.output;
  if (output && typeof output === "object" && !Array.isArray(output)) {
    const record = output as Record<string, unknown>;
    for (const key of ["text", "summary"]) {
      if (typeof record[key] === "string") return record[key];
    }
  }
  return null;
}

/** An execution paused at an approval step: what it asks, who may answer, and how. */
function waitingApproval(execution: ExecutionRecord, time: RenderTime): string | null {
  const wait = execution.waitingFor;
  if (execution.status !== "waiting" || wait?.kind !== "approval") return null;
  const who = Array.isArray(wait.approvers) ? ` (${wait.approvers.join(", ")} may decide)` : "";
  const until =
    typeof wait.deadline === "string"
      ? `; without a decision by ${formatTimestamp(new Date(wait.deadline), time.timeZone)} it is ${wait.onTimeout === "approve" ? "approved" : "rejected"}`
      : "";
  return `✋ *Approval needed*${who}: ${String(wait.prompt)}\n\`/orchestrate approve ${execution.id} [note]\` or \`/orchestrate reject ${execution.id} [reason]\`${until}.`;
}

/** An execution paused by a budget: which limit, and the three ways on. */
function waitingBudget(execution: ExecutionRecord): string | null {
  const wait = execution.waitingFor;
  if (execution.status !== "waiting" || wait?.kind !== "budget") return null;
  const id = execution.id;
  return `💸 *Paused by a budget* at step \`${String(wait.stepId)}\`: ${String(wait.message)}\n\`/orchestrate approve ${id} raise\` raises the cap and continues, \`/orchestrate approve ${id} cheaper\` continues on a cheaper model, \`/orchestrate reject ${id}\` stops the run.`;
}

export function renderExecution(detail: ExecutionDetail, time: RenderTime, lead?: string): Reply {
  const { now } = time;
  const { execution } = detail;
  const title = `${icon(execution.status)} ${execution.workflowName} · ${execution.id} · ${execution.status}`;
  const blocks: ReplyBlock[] = [{ type: "header", text: title }];
  if (lead) blocks.push({ type: "section", text: lead });
  blocks.push({
    type: "fields",
    fields: [
      { label: "Workflow", value: `${execution.workflowName} v${execution.workflowVersion}` },
      { label: "Requested by", value: execution.requestedByName ?? execution.requestedBy },
      { label: "Started", value: formatWhen(execution.startedAt ?? execution.createdAt, time) },
      { label: execution.finishedAt ? "Took" : "Running for", value: formatDuration(elapsed(execution, now)) },
      ...Object.entries(execution.input).map(([key, value]) => ({
        label: `input ${key}`,
        value: truncate(value, 120),
      })),
    ],
  });
  const steps = [
    ...detail.attempts.map((a) => attemptLine(a, now)),
    ...detail.pendingSteps.map((s) => `🕓 ${s} · pending`),
  ];
  if (steps.length > 0) blocks.push({ type: "list", items: steps });
  const headline = headlineOutput(detail);
  if (headline && execution.status === "succeeded") blocks.push({ type: "code", text: headline.slice(0, 2900) });
  // The message says what happened; the code (`decision_needed`, `step_timeout`) is for logs and --json.
  if (execution.errorMessage) blocks.push({ type: "section", text: `⚠️ ${execution.errorMessage}` });
  const approval = waitingApproval(execution, time) ?? waitingBudget(execution);
  if (approval) blocks.push({ type: "section", text: approval });
  const buttons = decisionButtons(execution);
  if (buttons) blocks.push(buttons);
  const text = [lead, `${title}${headline && execution.status === "succeeded" ? ` — ${truncate(headline, 200)}` : ""}`]
    .filter(Boolean)
    .join("\n");
  return reply(text, blocks, { tone: TONE[execution.status] ?? "info" });
}

/** Approve/Reject buttons for a run waiting on a person; platforms check the clicker's rights. */
export function decisionButtons(execution: ExecutionRecord): ReplyBlock | null {
  if (execution.status !== "waiting" || !execution.waitingFor) return null;
  const approval = execution.waitingFor.kind === "approval";
  const budget = execution.waitingFor.kind === "budget";
  return {
    type: "actions",
    buttons: [
      {
        label: approval ? "Approve" : budget ? "Raise the cap" : "Run the step again",
        style: "primary",
        action: { kind: "approve", execution: execution.id },
      },
      {
        label: approval ? "Reject" : budget ? "Stop the run" : "Fail the run",
        style: "danger",
        action: { kind: "reject", execution: execution.id },
      },
    ],
  };
}
