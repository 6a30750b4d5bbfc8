import type { ImproveResult } from "../orchestrator/improve/improve-results.js";
import { proposalId } from "../orchestrator/improve/improve-results.js";
import type { PatternOffer } from "../orchestrator/improve/patterns.js";
import type { ReplayResult } from "../orchestrator/improve/replay.js";
import { truncate } from "./format.js";
import { type Reply, type ReplyBlock, reply } from "./reply.js";

/** Shown in place of an empty diff: the proposal only re-words what the definition already says. */
const NO_CHANGE = "(the proposed definition is the same as the current one)";

/** `/improve` results → Reply: the acknowledgement, then the proposal's diff beside its replay. */
export function renderImproveResult(result: ImproveResult): Reply {
  switch (result.type) {
    case "proposal.list": {
      if (result.proposals.length === 0)
        return reply(
          `No ${result.status ?? ""} proposals yet; \`/improve <feedback>\` after a run asks for one.`.replace(
            "  ",
            " ",
          ),
        );
      const items = result.proposals.map(
        (p) =>
          `\`${proposalId(p.id)}\` ${p.workflowName} v${p.baseVersion} — ${p.status}${p.appliedVersion === null ? "" : ` as v${p.appliedVersion}`}, ${p.diff.split("\n").length} diff lines`,
      );
      return reply(`${result.proposals.length} proposal(s)`, [
        { type: "header", text: "Proposals" },
        { type: "list", items },
      ]);
    }
    case "improve": {
      const { feedback } = result;
      const about = feedback.executionId
        ? ` on \`${feedback.executionId}\` (${feedback.workflowName})`
        : " (you have no run yet to attach it to)";
      const next = result.proposing
        ? "An improver is drafting a new version; it will appear here."
        : "Stored; it is listed as awaiting review.";
      return reply(`📝 Thanks — feedback recorded${about}. ${next}`);
    }
    case "improve.failed":
      return reply(`📝 Feedback recorded, but no proposal: ${result.message} It is listed as awaiting review.`, [], {
        tone: "warning",
      });
    case "improve.proposal":
      return renderProposal(result);
    case "improve.applied":
      return reply(
        `✅ Applied \`${proposalId(result.proposal.id)}\`: ${result.proposal.workflowName} v${result.version} is current; runs in flight stay on theirs. \`/orchestrate rollback ${result.proposal.workflowName} ${result.proposal.baseVersion}\` undoes it.`,
      );
    case "improve.discarded":
      return reply(`Discarded \`${proposalId(result.proposal.id)}\`.`);
    case "workflow.rollback":
      return reply(`↩️ ${result.workflow} is on v${result.toVersion} again (was v${result.fromVersion}).`);
  }
}

function renderProposal(result: Extract<ImproveResult, { type: "improve.proposal" }>): Reply {
  const { proposal } = result;
  const id = proposalId(proposal.id);
  const replay = proposal.replay as ReplayResult & { executionId?: string };
  const steps = replay.steps.map((s) => {
    const detail = s.error
      ? ` — ${s.error}`
      : s.output !== undefined
        ? ` — ${truncate(JSON.stringify(s.output), 160)}`
        : "";
    return `${s.id}: ${s.status} (${s.source})${detail}`;
  });
  const header = `Proposal ${id} for ${proposal.workflowName} (from v${proposal.baseVersion})`;
  const blocks: ReplyBlock[] = [
    { type: "header", text: header },
    ...(result.summary ? [{ type: "section" as const, text: result.summary }] : []),
    { type: "code", text: (proposal.diff || NO_CHANGE).slice(0, 2900) },
    { type: "section", text: `*Replay against \`${replay.executionId ?? "the run"}\`: ${replay.outcome}*` },
    { type: "list", items: steps },
    {
      type: "context",
      text: `\`/orchestrate approve ${id}\` applies it, \`/orchestrate reject ${id}\` discards it.`,
    },
    {
      type: "actions",
      buttons: [
        { label: "Apply", style: "primary", action: { kind: "approve", execution: id } },
        { label: "Discard", style: "danger", action: { kind: "reject", execution: id } },
      ],
    },
  ];
  const text = [header, result.summary, proposal.diff || NO_CHANGE, `Replay: ${replay.outcome}`, ...steps]
    .filter(Boolean)
    .join("\n");
  return reply(text, blocks);
}

/** The offer made when someone keeps running the same request. */
export function renderPatternOffer(offer: PatternOffer): Reply {
  const lead = `🔁 You have run \`${offer.shape}\` ${offer.count} times this week.`;
  const items = [
    `Schedule it: \`${offer.schedule}\``,
    ...(offer.saveAsWorkflow ? [`Save these inputs as the workflow's defaults: \`${offer.saveAsWorkflow}\``] : []),
  ];
  return reply([lead, ...items].join("\n"), [
    { type: "section", text: lead },
    { type: "list", items },
  ]);
}
