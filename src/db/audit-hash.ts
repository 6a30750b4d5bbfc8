import { createHash } from "node:crypto";

/**
 * The tamper-evident audit chain (issue 12, item 8). A row is chained when it closes: its final
 * content, canonicalised, is hashed together with the previous chained row's hash, so changing,
 * removing or reordering any chained row breaks every hash from there on. Pending rows are not yet
 * chained (their content is still being written). This file depends on nothing else of baton's:
 * the writer, the migration that chains rows recorded before the chain existed, and `baton audit
 * verify` must all hash the same way, forever.
 */

/** The hash a chain's first row links to. */
export const GENESIS_HASH = "0".repeat(64);

/** The columns a hash covers, as any dialect returns them (dates as Date or text, numbers as text). */
export interface ChainedColumns {
  id: unknown;
  seq: unknown;
  created_at: unknown;
  finished_at: unknown;
  owner: unknown;
  platform: unknown;
  workspace: unknown;
  channel: unknown;
  thread: unknown;
  actor_id: unknown;
  actor_name: unknown;
  text: unknown;
  command: unknown;
  command_type: unknown;
  resolved_by: unknown;
  confidence: unknown;
  outcome: unknown;
  error_code: unknown;
  error_message: unknown;
  duration_ms: unknown;
  llm_input_tokens: unknown;
  llm_output_tokens: unknown;
  llm_cost_usd: unknown;
  execution_id: unknown;
  dedupe_key: unknown;
}

/** SHA-256 (hex) over the previous row's hash and this row's canonical content. */
export function chainHash(previousHash: string, row: ChainedColumns): string {
  return createHash("sha256").update(previousHash).update("\n").update(canonicalContent(row)).digest("hex");
}

/** One line of JSON with a fixed key order and values normalised across SQLite and PostgreSQL. */
export function canonicalContent(row: ChainedColumns): string {
  return JSON.stringify({
    id: integer(row.id),
    seq: integer(row.seq),
    created_at: instant(row.created_at),
    finished_at: instant(row.finished_at),
    owner: textOf(row.owner),
    platform: textOf(row.platform),
    workspace: textOf(row.workspace),
    channel: textOf(row.channel),
    thread: textOf(row.thread),
    actor_id: textOf(row.actor_id),
    actor_name: textOf(row.actor_name),
    text: textOf(row.text),
    command: sortedKeys(jsonOf(row.command)),
    command_type: textOf(row.command_type),
    resolved_by: textOf(row.resolved_by),
    confidence: row.confidence === null || row.confidence === undefined ? null : Number(row.confidence),
    outcome: textOf(row.outcome),
    error_code: textOf(row.error_code),
    error_message: textOf(row.error_message),
    duration_ms: integer(row.duration_ms),
    llm_input_tokens: integer(row.llm_input_tokens),
    llm_output_tokens: integer(row.llm_output_tokens),
    llm_cost_usd:
      row.llm_cost_usd === null || row.llm_cost_usd === undefined ? null : Number(row.llm_cost_usd).toFixed(6),
    execution_id: textOf(row.execution_id),
    dedupe_key: textOf(row.dedupe_key),
  });
}

function integer(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** SQLite hands dates back as `2026-01-02 03:04:05.678 +00:00`, PostgreSQL as Date objects. */
function instant(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return new Date(value instanceof Date ? value.getTime() : String(value)).toISOString();
}

/** A lone UTF-16 surrogate cannot be stored as UTF-8: both databases write U+FFFD instead, so hash that. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function textOf(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value).replace(LONE_SURROGATE, "\uFFFD");
}

/** JSON columns come back as text on SQLite and parsed on PostgreSQL. */
function jsonOf(value: unknown): unknown {
  if (typeof value !== "string") return value ?? null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, inner]) => [key, sortedKeys(inner)]));
}
