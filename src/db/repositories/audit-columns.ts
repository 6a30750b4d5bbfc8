import type { AuditEntryRow } from "../models.js";
import type { AuditClosing } from "./audit-repository.js";

/** How audit rows map to the columns the chain hashes (audit-chain.ts). */

/** What a sweep writes on a row whose process died. */
export const INTERRUPTED = {
  outcome: "interrupted",
  error_code: "interrupted",
  error_message: "baton stopped before this request finished.",
} as const;

/** The columns written at open, as stored. */
export function openingOf(row: AuditEntryRow) {
  return {
    id: Number(row.id),
    created_at: row.created_at,
    platform: row.platform,
    workspace: row.workspace,
    channel: row.channel,
    thread: row.thread,
    actor_id: row.actor_id,
    actor_name: row.actor_name,
    text: row.text,
    dedupe_key: row.dedupe_key,
    owner: row.owner,
  };
}

/** The columns a close writes (all null while the row is pending). */
export function closingColumns(closing: AuditClosing | null) {
  return {
    finished_at: closing?.finishedAt ?? null,
    // What the JSON column will hold, so the hash covers exactly what is stored.
    command: closing?.command === undefined || closing.command === null ? null : jsonCopy(closing.command),
    command_type: closing?.commandType ?? null,
    resolved_by: closing?.resolvedBy ?? null,
    confidence: closing?.confidence ?? null,
    outcome: closing?.outcome ?? "pending",
    error_code: closing?.errorCode ?? null,
    error_message: closing?.errorMessage ?? null,
    duration_ms: closing ? Math.round(closing.durationMs) : null,
    execution_id: closing?.executionId ?? null,
    llm_input_tokens: closing?.llm?.inputTokens ?? null,
    llm_output_tokens: closing?.llm?.outputTokens ?? null,
    llm_cost_usd: closing?.llm ? closing.llm.costUsd.toFixed(6) : null,
  };
}

function jsonCopy(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

export type AuditClosingColumns = ReturnType<typeof closingColumns>;
