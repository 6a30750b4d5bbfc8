import { withoutInternals } from "../channel-safe.js";
import type { AuditEntry } from "../db/repositories/audit-repository.js";
import type { ProviderHealthSnapshot } from "../llm/provider-health.js";
import type { ControlResult } from "../orchestrator/control/control-results.js";
import type { Result, StatusSnapshot, WorkflowSummary } from "../orchestrator/results.js";
import type { AgentResult } from "../orchestrator/results-agents.js";
import { redactValue } from "../redact.js";
import { formatDuration, formatTimestamp, formatWhen, icon, plural, type RenderTime, truncate } from "./format.js";
import { renderAccess } from "./render-access.js";
import { renderAgentResult } from "./render-agents.js";
import { controlStatusBlocks, renderControl } from "./render-control.js";
import { executionLine, renderExecution } from "./render-execution.js";
import { renderToken } from "./render-tokens.js";
import { type Reply, type ReplyBlock, reply } from "./reply.js";

/** The control plane's result types (render-control.ts); the rest of the default branch is the agents'. */
const CONTROL_TYPES: ReadonlySet<string> = new Set<ControlResult["type"]>([
  "schedule.create",
  "schedule.list",
  "schedule.delete",
  "orchestrator.mode",
  "orchestrator.step",
  "orchestrator.journal",
  "digest",
]);

/**
 * Result → Reply: pure functions, unit-testable without a network (CONVENTIONS.md). A result can
 * hold what is still in memory (a run's live input), so it is redacted before anything is shown.
 */
export function renderResult(result: Result, time: RenderTime): Reply {
  return renderRedacted(shownResult(result), time);
}

/**
 * A result as it may be shown (replies, `baton say --json`, the REST API): redacted, except the
 * API token a `token.create` made, which its maker sees this once.
 */
export function shownResult<R extends Result | null>(result: R): R {
  if (result === null) return result;
  const redacted = redactValue(result);
  return (result.type === "token.create" ? { ...redacted, secret: result.secret } : redacted) as R;
}

function renderRedacted(result: Result, time: RenderTime): Reply {
  switch (result.type) {
    case "help":
      return renderHelp(result);
    case "status":
      return renderStatus(result.status, time);
    case "history":
      return renderHistory(result.entries, time, result.user);
    case "workflow.list":
      return renderWorkflowList(result.workflows, result.problems);
    case "workflow.show":
      return renderWorkflow(result.workflow, result.workflow.versions, time.timeZone);
    case "workflow.run":
      return result.detail
        ? renderExecution(result.detail, time)
        : reply(`⏳ Started ${result.execution.workflowName} as \`${result.execution.id}\`.`, [
            { type: "section", text: `⏳ Started *${result.execution.workflowName}* as \`${result.execution.id}\`…` },
          ]);
    case "execution.list":
      return renderExecutionList(result, time);
    case "execution.show":
      return renderExecution(result.detail, time);
    case "execution.cancel":
      return result.alreadyFinished
        ? reply(`\`${result.execution.id}\` had already ${result.execution.status}; nothing to cancel.`)
        : reply(`🚫 Cancelled \`${result.execution.id}\` (${result.execution.workflowName}).`, [], { tone: "warning" });
    case "execution.approve":
      return result.detail
        ? renderExecution(result.detail, time, "Approved.")
        : reply(`✅ Approved \`${result.execution.id}\`; it is ${result.execution.status} now.`);
    case "execution.reject":
      if (result.detail) return renderExecution(result.detail, time, "Rejected.");
      return reply(`🚫 Rejected \`${result.execution.id}\`; it is ${result.execution.status} now.`, [], {
        tone: "warning",
      });
    case "access.grant":
    case "access.revoke":
    case "access.show":
    case "access.whoami":
    case "identity.link":
    case "identity.unlink":
      return renderAccess(result, time);
    case "token.create":
    case "token.list":
    case "token.revoke":
      return renderToken(result, time);
    default:
      return CONTROL_TYPES.has(result.type)
        ? renderControl(result as ControlResult, time)
        : renderAgentResult(result as AgentResult, time);
  }
}

function renderHelp(result: Extract<Result, { type: "help" }>): Reply {
  if (result.entries.length === 0) {
    return reply(`No command matches “${result.topic ?? ""}”. Try \`/orchestrate help\`.`, [], { ephemeral: true });
  }
  const blocks: ReplyBlock[] = [
    { type: "header", text: result.topic ? `baton help: ${result.topic}` : "baton help" },
    { type: "section", text: "Type `/orchestrate <command>` (or just ask in plain words, e.g. “what's running?”)." },
    { type: "list", items: result.entries.map((e) => `\`${e.usage}\` — ${e.summary}`) },
  ];
  if (result.restricted)
    blocks.push({
      type: "context",
      text: `Showing what you may run here (${result.roles.join(", ") || "no role"}); \`/orchestrate whoami\` says more, and an admin can grant more.`,
    });
  // `/improve <feedback>` is its own slash command, not an `/orchestrate` verb.
  const typed = (usage: string) => (usage.startsWith("/") ? usage : `/orchestrate ${usage}`);
  const text = ["baton help", ...result.entries.map((e) => `${typed(e.usage)} — ${e.summary}`)].join("\n");
  return reply(text, blocks, { ephemeral: true });
}

function renderStatus(status: StatusSnapshot, time: RenderTime): Reply {
  const counts = Object.entries(status.last24h)
    .map(([state, count]) => `${icon(state)} ${count} ${state}`)
    .join(" · ");
  const blocks: ReplyBlock[] = [
    { type: "header", text: "baton status" },
    {
      type: "fields",
      fields: [
        { label: "Running", value: String(status.running.length) },
        { label: "Waiting for a person", value: String(status.waiting.length) },
        { label: "Last 24 h", value: counts || "no runs" },
        { label: "Workflows", value: String(status.workflows.count) },
        // The kind only: a path or URL (and its host and port) stays in the log and the terminal.
        { label: "Database", value: databaseKind(status.database.dialect) },
        { label: "Router", value: status.router },
        { label: "LLM spend today", value: spendText(status) },
        ...(status.agents
          ? [
              { label: "Active agents", value: String(status.agents.active) },
              { label: "Feedback awaiting review", value: String(status.agents.feedbackAwaitingReview) },
            ]
          : []),
        { label: "Front-ends", value: status.frontEnds.map(withoutListenAddress).join(", ") || "none" },
        { label: "Up for", value: formatDuration(status.now.getTime() - status.startedAt.getTime()) },
      ],
    },
  ];
  if (status.control) blocks.push(...controlStatusBlocks(status.control, time));
  const active = [...status.running, ...status.waiting];
  blocks.push(
    active.length > 0
      ? { type: "list", items: active.map((e) => executionLine(e, time)) }
      : { type: "section", text: "Nothing is running right now." },
  );
  if (status.interrupted.length > 0) {
    blocks.push({ type: "section", text: "*Interrupted* (baton stopped while they ran):" });
    blocks.push({ type: "list", items: status.interrupted.map((e) => executionLine(e, time)) });
  }
  const resting = status.llm.providers.filter((p) => p.state !== "ok");
  if (resting.length > 0) blocks.push({ type: "list", items: resting.map((p) => providerLine(p, time)) });
  for (const problem of status.workflows.problems)
    blocks.push({ type: "context", text: `⚠️ ${withoutInternals(problem)}` });
  for (const warning of status.warnings ?? []) blocks.push({ type: "context", text: `⚠️ ${warning}` });
  for (const health of status.frontEndHealth ?? []) blocks.push({ type: "context", text: withoutInternals(health) });
  const text = `baton status: ${plural(status.running.length, "execution")} running, ${status.waiting.length} waiting.`;
  const shown = reply(text, blocks, {
    tone: status.workflows.problems.length + (status.warnings?.length ?? 0) > 0 ? "warning" : "info",
  });
  return status.admin ? { ...shown, aside: adminStatus(status, status.admin) } : shown;
}

/** What the channel's status leaves out, for an admin's eyes only (README "Permissions"). */
function adminStatus(status: StatusSnapshot, admin: NonNullable<StatusSnapshot["admin"]>): Reply {
  const fields = [
    { label: "Version", value: status.version },
    { label: "Database", value: status.database.location || databaseKind(status.database.dialect) },
    { label: "Front-ends", value: status.frontEnds.join(", ") || "none" },
    { label: "Process", value: `pid ${admin.pid} · ${admin.owner} · Node ${admin.node}` },
    { label: "Memory", value: `${admin.rssMb} MB resident, ${admin.heapMb} MB heap` },
  ];
  const details = [...status.workflows.problems, ...(status.frontEndHealth ?? [])];
  const blocks: ReplyBlock[] = [
    { type: "header", text: "Admin details (only you see this)" },
    { type: "fields", fields },
    ...(details.length > 0 ? [{ type: "list" as const, items: details }] : []),
  ];
  const text = ["Admin details (only you see this)", ...fields.map((f) => `${f.label}: ${f.value}`), ...details].join(
    "\n",
  );
  return reply(text, blocks, { ephemeral: true });
}

const DATABASE_KINDS: Readonly<Record<string, string>> = { sqlite: "SQLite", postgres: "PostgreSQL" };

function databaseKind(dialect: string): string {
  return DATABASE_KINDS[dialect] ?? dialect;
}

/** `slack (http :3000/slack/events)` → `slack (http)`: status is read in channels, the port is not for them. */
function withoutListenAddress(label: string): string {
  return label.replace(/ ?:\d+(?:\/[^\s)]*)?/g, "");
}

function spendText(status: StatusSnapshot): string {
  const { calls, costUsd } = status.llm.spendToday;
  return calls === 0 ? "none" : `$${costUsd.toFixed(4)} over ${plural(calls, "call")}`;
}

/** A provider the router is skipping: cooling down after a retry-after, or its circuit open. */
function providerLine(provider: ProviderHealthSnapshot, time: RenderTime): string {
  const why =
    provider.state === "open"
      ? `circuit open after ${plural(provider.consecutiveFailures, "failure")}`
      : "cooling down";
  const until = provider.until
    ? `, skipped until ${formatTimestamp(provider.until, time.timeZone)}`
    : ", waiting for a trial call";
  return `⚠️ LLM provider *${provider.provider}*: ${why}${until}${provider.lastError ? ` — ${truncate(withoutInternals(provider.lastError), 160)}` : ""}`;
}

function historyLine(entry: AuditEntry, time: RenderTime): string {
  const who = entry.actorName ?? entry.actorId;
  const how = entry.resolvedBy ? ` via ${entry.resolvedBy}` : "";
  const error = entry.errorCode ? ` (${entry.errorCode})` : "";
  return `${icon(entry.outcome)} ${formatWhen(entry.at, time)} · ${who} · “${truncate(entry.text, 80)}” → ${entry.commandType ?? "—"}${how} · ${entry.outcome}${error}`;
}

function renderHistory(entries: AuditEntry[], time: RenderTime, user?: string): Reply {
  const scope = user ? ` by ${user}` : "";
  if (entries.length === 0) return reply(`No commands${scope} in the audit log yet.`);
  const title = `Last ${plural(entries.length, "command")}${scope}`;
  return reply([title, ...entries.map((e) => historyLine(e, time))].join("\n"), [
    { type: "header", text: title },
    { type: "list", items: entries.map((e) => historyLine(e, time)) },
  ]);
}

function inputsText(workflow: WorkflowSummary): string {
  if (workflow.inputs.length === 0) return "no inputs";
  return workflow.inputs.map((i) => `${i.name}${i.required ? "" : "?"}`).join(", ");
}

function renderWorkflowList(workflows: WorkflowSummary[], problems: string[]): Reply {
  const items = workflows.map(
    (w) => `*${w.name}* v${w.currentVersion} — ${w.description ?? "no description"} (inputs: ${inputsText(w)})`,
  );
  const blocks: ReplyBlock[] = [{ type: "header", text: "Workflows" }];
  blocks.push(items.length > 0 ? { type: "list", items } : { type: "section", text: "No workflows are loaded." });
  for (const problem of problems) blocks.push({ type: "context", text: `⚠️ ${problem}` });
  blocks.push({ type: "context", text: "Run one with `/orchestrate run <workflow> key=value…`." });
  return reply(["Workflows:", ...items].join("\n"), blocks);
}

function renderWorkflow(
  workflow: WorkflowSummary,
  versions: Array<{ version: number; source: string; createdAt: Date }>,
  timeZone: string,
): Reply {
  const example = workflow.inputs.filter((i) => i.required).map((i) => `${i.name}=…`);
  const blocks: ReplyBlock[] = [
    { type: "header", text: `${workflow.name} v${workflow.currentVersion}` },
    { type: "section", text: workflow.description ?? "No description." },
    {
      type: "fields",
      fields: workflow.inputs.map((i) => ({
        label: `${i.name}${i.required ? " (required)" : ""}`,
        value:
          [i.description, i.default !== undefined ? `default ${i.default}` : undefined].filter(Boolean).join(" — ") ||
          "—",
      })),
    },
    {
      type: "list",
      items: workflow.steps.map(
        (s, n) => `${n + 1}. ${s.id} (${s.tool ?? s.kind})${s.description ? ` — ${s.description}` : ""}`,
      ),
    },
    {
      type: "context",
      text: `Versions: ${versions.map((v) => `v${v.version} (${formatTimestamp(v.createdAt, timeZone)})`).join(", ")}`,
    },
    { type: "context", text: `Run: \`/orchestrate run ${[workflow.name, ...example].join(" ")}\`` },
  ];
  return reply(`${workflow.name} v${workflow.currentVersion}: ${workflow.description ?? ""}`, blocks);
}

function renderExecutionList(result: Extract<Result, { type: "execution.list" }>, time: RenderTime): Reply {
  const scope = result.status ? ` ${result.status}` : "";
  if (result.executions.length === 0) return reply(`No${scope} executions yet.`);
  const lines = result.executions.map((e) => executionLine(e, time));
  const title = `Recent${scope} executions`;
  return reply([title, ...lines].join("\n"), [
    { type: "header", text: title },
    { type: "list", items: lines },
  ]);
}
