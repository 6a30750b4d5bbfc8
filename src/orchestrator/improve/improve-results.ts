import type { FeedbackRecord } from "../../db/repositories/feedback-repository.js";
import type { ProposalRecord } from "../../db/repositories/proposal-repository.js";

/** Results of `/improve`, its proposals' Apply/Discard, and `workflow.rollback`. */
export type ImproveResult =
  /** Acknowledged at once; `proposing`: an improver is preparing a proposal in the background. */
  | { type: "improve"; feedback: FeedbackRecord; proposing: boolean }
  | { type: "improve.proposal"; proposal: ProposalRecord; summary: string }
  | { type: "improve.failed"; feedback: FeedbackRecord; message: string }
  | { type: "improve.applied"; proposal: ProposalRecord; version: number }
  | { type: "improve.discarded"; proposal: ProposalRecord }
  | { type: "workflow.rollback"; workflow: string; fromVersion: number; toVersion: number }
  | { type: "proposal.list"; proposals: ProposalRecord[]; status?: string };

/** Proposal ids as people type them: `imp_12` (approve applies it, reject discards it). */
export function proposalId(id: number): string {
  return `imp_${id}`;
}

export function parseProposalId(text: string): number | null {
  const match = /^imp_(\d{1,15})$/.exec(text);
  return match ? Number(match[1]) : null;
}
