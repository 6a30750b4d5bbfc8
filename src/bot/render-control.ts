import { withoutInternals } from "../channel-safe.js";
import type { OrchestratorRunRecord } from "../db/repositories/orchestrator-run-repository.js";
import type { ControlResult, ControlSnapshot, ScheduleListing } from "../orchestrator/control/control-results.js";
import { describeAction } from "../orchestrator/scheduler/schedule-spec.js";
import { formatTimestamp, formatWhen, icon, plural, type RenderTime, truncate } from "./format.js";
import { fireLine, renderDigest } from "./render-digest.js";
import { type Reply, type ReplyBlock, reply } from "./reply.js";

/** The control plane's results → Reply: schedules, mode, orchestrator steps, the journal, digests. */
export function renderControl(result: ControlResult, time: RenderTime): Reply {
  switch (result.type) {
    case "schedule.create": {
      const s = result.schedule;
      const next = result.upcoming.map((at) => formatTimestamp(at, s.timeZone)).join(", ");
      const paused =
        result.mode === "paused" ? " The orchestrator is paused: fires are recorded as skipped until it resumes." : "";
      const text = `🗓️ Scheduled \`${s.id}\`: ${describeAction(s)} at \`${s.cron}\` (${s.timeZone}). Next: ${next}.${paused}`;
      return reply(text, [
        { type: "section", text },
        { type: "context", text: `Remove it with \`/orchestrate unschedule ${s.id}\`.` },
      ]);
    }
    case "schedule.list":
      return renderScheduleList(result.schedules, result.problems, time);
    case "schedule.delete":
      return reply(`🗑️ Deleted schedule \`${result.schedule.id}\` (${describeAction(result.schedule)}).`, [], {
        tone: "warning",
      });
    case "orchestrator.mode":
      return reply(
        result.mode === result.previous
          ? `The orchestrator was already in ${result.mode} mode.`
          : `Orchestrator mode: ${result.previous} → *${result.mode}*. ${modeMeaning(result.mode)}`,
        [],
        { tone: result.mode === "paused" ? "warning" : "info" },
      );
    case "orchestrator.step":
      return renderRun(result.run, time);
    case "orchestrator.journal":
      return renderJournal(result.runs, time);
    case "digest":
      return renderDigestResult(result, time);
  }
}

export function modeMeaning(mode: string): string {
  switch (mode) {
    case "paused":
      return "No autonomous action: schedules are recorded as skipped; chat commands still work.";
    case "manual":
      return "Schedules post digests and start workflows; orchestrator steps run only on command.";
    case "continuous":
      return "Schedules fire, and the orchestrator steps on its own every few moments.";
    default:
      return "Schedules fire, orchestrator steps included.";
  }
}

function renderScheduleList(schedules: ScheduleListing[], problems: string[], time: RenderTime): Reply {
  const items = schedules.map((s) => {
    const next = s.nextFire ? `next ${formatTimestamp(s.nextFire, s.timeZone)}` : "disabled";
    const last = s.lastFire
      ? ` · last ${formatWhen(s.lastFire.fireTime, time)} ${icon(s.lastFire.status)} ${s.lastFire.status}`
      : "";
    return `\`${s.id}\` ${describeAction(s)} · \`${s.cron}\` ${s.timeZone} · ${next}${last} · missed: ${s.missedPolicy}`;
  });
  const blocks: ReplyBlock[] = [{ type: "header", text: "Schedules" }];
  blocks.push(items.length > 0 ? { type: "list", items } : { type: "section", text: "No schedules yet." });
  for (const problem of problems) blocks.push({ type: "context", text: `⚠️ ${problem}` });
  blocks.push({
    type: "context",
    text: 'Add one with `/orchestrate schedule "0 9 * * 1-5" digest #ops tz=Europe/Berlin`.',
  });
  return reply(items.length > 0 ? ["Schedules:", ...items].join("\n") : "No schedules yet.", blocks);
}

function decisionLines(run: OrchestratorRunRecord): string[] {
  return run.decisions.map((d) => `*${d.subject}*: ${d.decision} — ${truncate(d.reason, 160)} → ${d.outcome}`);
}

function statsLine(run: OrchestratorRunRecord): string {
  const keys = [...new Set([...Object.keys(run.statsBefore), ...Object.keys(run.statsAfter)])];
  return keys.map((k) => `${k} ${run.statsBefore[k] ?? 0}→${run.statsAfter[k] ?? 0}`).join(", ");
}

function renderRun(run: OrchestratorRunRecord, time: RenderTime): Reply {
  const title = `Orchestrator step ${run.id} (${run.trigger}, ${run.mode} mode)`;
  const blocks: ReplyBlock[] = [
    { type: "header", text: title },
    { type: "list", items: decisionLines(run) },
    { type: "context", text: `Actions: ${run.actions.join("; ") || "none"}. ${statsLine(run)}` },
    {
      type: "context",
      text: `${formatWhen(run.startedAt, time)} · \`/orchestrate history orchestrator\` shows earlier steps.`,
    },
  ];
  const text = [title, ...decisionLines(run)].join("\n");
  return reply(text, blocks, { tone: run.outcome === "error" ? "error" : "info" });
}

function renderJournal(runs: OrchestratorRunRecord[], time: RenderTime): Reply {
  if (runs.length === 0) return reply("The orchestrator has not stepped yet; `/orchestrate step` runs one now.");
  const blocks: ReplyBlock[] = [{ type: "header", text: "Orchestrator decision journal" }];
  const lines: string[] = [];
  for (const run of runs) {
    const head = `${run.id} · ${formatWhen(run.startedAt, time)} · ${run.trigger} by ${run.triggeredBy} · ${run.mode}`;
    blocks.push({ type: "section", text: `*${head}*` }, { type: "list", items: decisionLines(run) });
    lines.push(head, ...decisionLines(run).map((l) => `  ${l}`));
  }
  return reply(lines.join("\n"), blocks);
}

function renderDigestResult(result: Extract<ControlResult, { type: "digest" }>, time: RenderTime): Reply {
  const digest = renderDigest(result.digest, time);
  const delivery = result.delivery;
  if (!delivery) return digest;
  const where = `#${delivery.channel}`;
  if (delivery.status === "failed") {
    const text = `⚠️ The digest could not be posted to ${where} after ${plural(delivery.attempts, "attempt")}: ${withoutInternals(delivery.error ?? "unknown error").replace(/\.$/, "")}. It shows in status and in the next digest.`;
    return reply(text, [{ type: "section", text }, ...digest.blocks], { tone: "error" });
  }
  const text =
    delivery.status === "duplicate"
      ? `This digest was already handled for ${where} (${delivery.idempotencyKey}); not posted again.`
      : `📬 Posted the digest to ${where} (message ${delivery.messageId ?? "?"}, attempt ${delivery.attempts}).`;
  return reply(text, [{ type: "section", text }], { tone: "success" });
}

/** The control plane's lines in `status`. */
export function controlStatusBlocks(control: ControlSnapshot, time: RenderTime): ReplyBlock[] {
  const run = control.lastRun;
  const next = control.nextFire;
  const blocks: ReplyBlock[] = [
    {
      type: "fields",
      fields: [
        { label: "Mode", value: `${control.mode}${control.modeChangedBy ? ` (set by ${control.modeChangedBy})` : ""}` },
        {
          label: "Last orchestrator step",
          value: run
            ? `${run.id} ${formatWhen(run.startedAt, time)} (${run.trigger}): ${plural(run.decisions.length, "decision")}`
            : "none yet",
        },
        {
          label: "Next schedule",
          value: next
            ? `${next.scheduleId} ${next.action}${next.channel ? ` → #${next.channel}` : ""} at ${formatTimestamp(next.at, time.timeZone)}`
            : control.schedules === 0
              ? "no schedules"
              : "none",
        },
      ],
    },
  ];
  const problems = [
    ...control.undeliveredDigests.map(
      (d) =>
        `⚠️ Digest for ${d.platform} #${d.channel} (${formatWhen(d.createdAt, time)}) not delivered after ${plural(d.attempts, "attempt")}: ${truncate(withoutInternals(d.lastError ?? ""), 120)}`,
    ),
    ...control.troubledFires.map((f) => fireLine(f, time.timeZone)),
    ...control.problems.map((p) => `⚠️ ${withoutInternals(p)}`),
  ];
  if (problems.length > 0) blocks.push({ type: "list", items: problems });
  return blocks;
}
