import type { ScheduleFire } from "../db/repositories/schedule-repository.js";
import type { Digest } from "../orchestrator/digest/digest.js";
import { formatTimestamp, icon, plural, type RenderTime, truncate } from "./format.js";
import { type Reply, type ReplyBlock, reply } from "./reply.js";

/**
 * Digest → the platform-neutral Reply (the Slack adapter renders it as Block Kit, Discord as an
 * embed, the console as text). Failures come first, with the command that shows each one.
 */
export function renderDigest(digest: Digest, time: RenderTime): Reply {
  const title = `baton digest: ${formatTimestamp(digest.period.start, time.timeZone)} → ${formatTimestamp(digest.period.end, time.timeZone)}`;
  const blocks: ReplyBlock[] = [
    { type: "header", text: "baton digest" },
    { type: "context", text: title },
  ];
  if (digest.failures.length > 0) {
    blocks.push({ type: "section", text: `*${plural(digest.failures.length, "failed run")}*` });
    blocks.push({ type: "list", items: digest.failures.map(failureLine) });
  }
  blocks.push({ type: "fields", fields: summaryFields(digest) });
  if (digest.approvalsWaiting.length > 0) {
    blocks.push({ type: "section", text: `*${plural(digest.approvalsWaiting.length, "run")} waiting for a person*` });
    blocks.push({
      type: "list",
      items: digest.approvalsWaiting.map(
        (a) =>
          `✋ \`${a.id}\` ${a.workflowName}${a.stepId ? ` at ${a.stepId}` : ""}${a.deadline ? ` (decides itself at ${formatTimestamp(new Date(a.deadline), time.timeZone)})` : ""} — \`/orchestrate approve ${a.id}\``,
      ),
    });
  }
  blocks.push(...insightBlocks(digest));
  blocks.push(...problemBlocks(digest, time));
  if (digest.lastRun) {
    const run = digest.lastRun;
    blocks.push({
      type: "context",
      text: `Last orchestrator step ${run.id} (${run.trigger}) at ${formatTimestamp(run.startedAt, time.timeZone)}: ${plural(run.decisions.length, "decision")}, ${plural(run.actions.length, "action")}.`,
    });
  }
  return reply(digestText(digest, title), blocks, { tone: digest.failures.length > 0 ? "warning" : "info" });
}

function failureLine(failure: Digest["failures"][number]): string {
  const why = failure.errorMessage ? ` — ${truncate(failure.errorMessage, 120)}` : "";
  return `${icon("failed")} \`${failure.id}\` ${failure.workflowName}${why} · \`/orchestrate show ${failure.id}\``;
}

function summaryFields(digest: Digest): Array<{ label: string; value: string }> {
  const statuses = Object.entries(digest.runs.byStatus)
    .sort((a, b) => b[1] - a[1])
    .map(([status, count]) => `${icon(status)} ${count} ${status}`)
    .join(" · ");
  const spend = digest.spend;
  return [
    { label: "Runs started", value: `${digest.runs.started}${statuses ? ` (${statuses})` : ""}` },
    { label: "Succeeded", value: String(digest.runs.byStatus.succeeded ?? 0) },
    { label: "Failed", value: String(digest.runs.byStatus.failed ?? 0) },
    { label: "Waiting for a person", value: String(digest.approvalsWaiting.length) },
    { label: "LLM spend (period)", value: `$${spend.periodUsd.toFixed(4)}` },
    { label: "LLM spend, 7 days", value: `${spend.sparkline} $${spend.weekUsd.toFixed(4)} (${spendDays(digest)})` },
    { label: "Requests", value: String(digest.requests) },
    { label: "Active agents", value: String(digest.activeAgents) },
    {
      label: "Top requesters",
      value: digest.topRequesters.map((r) => `${r.actorId} (${r.requests})`).join(", ") || "nobody",
    },
  ];
}

function spendDays(digest: Digest): string {
  return digest.spend.days.map((d) => `${d.day} $${d.usd.toFixed(2)}`).join(", ");
}

function problemBlocks(digest: Digest, time: RenderTime): ReplyBlock[] {
  const items = [
    ...digest.undelivered.map(
      (d) =>
        `⚠️ The digest for ${d.platform} #${d.channel} of ${formatTimestamp(d.createdAt, time.timeZone)} was not delivered after ${plural(d.attempts, "attempt")}: ${truncate(d.lastError ?? "unknown error", 160)}`,
    ),
    ...digest.troubledFires.map((f) => fireLine(f, time.timeZone)),
  ];
  return items.length > 0
    ? [
        { type: "section", text: "*Needs a look*" },
        { type: "list", items },
      ]
    : [];
}

/** A schedule fire that failed, was skipped, or lost its process mid-action. */
export function fireLine(fire: ScheduleFire, timeZone: string): string {
  const when = `Schedule ${fire.scheduleId} at ${formatTimestamp(fire.fireTime, timeZone)}`;
  if (fire.status === "claimed") {
    return `⚠️ ${when} was claimed by ${fire.claimedBy} but never finished (its process stopped mid-action); it is not run again.`;
  }
  return `${fire.status === "failed" ? "❌" : "⏭️"} ${when} ${fire.status}: ${truncate(fire.detail ?? "", 160)}`;
}

/** Spend against budgets, feedback awaiting review, recognised patterns. */
export function insightBlocks(digest: Digest): ReplyBlock[] {
  const blocks: ReplyBlock[] = [];
  const { standings, day } = digest.budgets;
  if (standings.length > 0) {
    blocks.push({ type: "section", text: `*Spend against budget (${day})*` });
    blocks.push({ type: "list", items: standings.map(budgetLine) });
  }
  const { feedback } = digest;
  if (feedback.awaiting > 0) {
    blocks.push({ type: "section", text: `*${plural(feedback.awaiting, "piece")} of feedback awaiting review*` });
    blocks.push({
      type: "list",
      items: feedback.oldest.map(
        (f) =>
          `💬 #${f.id} ${f.executionId ? `on \`${f.executionId}\`${f.workflowName ? ` (${f.workflowName})` : ""}` : "(no run)"}: ${truncate(f.text, 120)}`,
      ),
    });
  }
  if (digest.patterns.length > 0) {
    blocks.push({ type: "section", text: `*${plural(digest.patterns.length, "recognised pattern")}*` });
    blocks.push({
      type: "list",
      items: digest.patterns.slice(0, 5).map((p) => `🔁 \`${p.shape}\` — ${p.actorId}, ${p.count} times in seven days`),
    });
  }
  return blocks;
}

function budgetLine(standing: Digest["budgets"]["standings"][number]): string {
  const used = `$${standing.usedUsd.toFixed(4)}`;
  const refused = standing.refusals > 0 ? `, ${plural(standing.refusals, "refusal")}` : "";
  if (standing.limitUsd === null) return `${standing.scope}: ${used} (no daily limit${refused})`;
  const share = standing.limitUsd > 0 ? Math.round((standing.usedUsd / standing.limitUsd) * 100) : 100;
  const mark = share >= 100 ? "🛑" : share >= 80 ? "⚠️" : "✅";
  return `${mark} ${standing.scope}: ${used} of $${standing.limitUsd.toFixed(2)} (${share}%${refused})`;
}

function digestText(digest: Digest, title: string): string {
  const failed = digest.runs.byStatus.failed ?? 0;
  return [
    title,
    `${digest.runs.started} run(s) started, ${digest.runs.byStatus.succeeded ?? 0} succeeded, ${failed} failed${failed > 0 ? ` (${digest.failures.map((f) => f.id).join(", ")})` : ""}.`,
    `${digest.approvalsWaiting.length} waiting for a person. LLM spend 7 days ${digest.spend.sparkline} $${digest.spend.weekUsd.toFixed(4)}.`,
    ...insightText(digest),
    ...(digest.undelivered.length > 0 ? [`${plural(digest.undelivered.length, "earlier digest")} not delivered.`] : []),
  ].join("\n");
}

function insightText(digest: Digest): string[] {
  const global = digest.budgets.standings.find((s) => s.scope === "global");
  const others = digest.budgets.standings.filter((s) => s.scope !== "global");
  return [
    ...(global ? [`Budget today: ${budgetLine(global)}.`] : []),
    ...(others.length > 0 ? [`Near or over their limit: ${others.map(budgetLine).join("; ")}.`] : []),
    ...(digest.feedback.awaiting > 0
      ? [
          `${plural(digest.feedback.awaiting, "piece")} of feedback awaiting review (${digest.feedback.oldest.map((f) => `#${f.id}${f.executionId ? ` on ${f.executionId}` : ""}`).join(", ")}).`,
        ]
      : []),
    ...(digest.patterns.length > 0
      ? [`Recognised patterns: ${digest.patterns.map((p) => `${p.shape} (${p.actorId}, ${p.count}×)`).join("; ")}.`]
      : []),
    `${plural(digest.activeAgents, "active agent")}.`,
  ];
}
