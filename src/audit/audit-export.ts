import type { ChainedColumns } from "../db/audit-hash.js";
import { redactValue } from "../redact.js";

export const EXPORT_FORMATS = ["jsonl", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The columns an export carries, in order (the CSV header). */
const COLUMNS = [
  "id",
  "seq",
  "created_at",
  "finished_at",
  "platform",
  "workspace",
  "channel",
  "thread",
  "actor_id",
  "actor_name",
  "text",
  "command",
  "command_type",
  "resolved_by",
  "confidence",
  "outcome",
  "error_code",
  "error_message",
  "duration_ms",
  "execution_id",
  "llm_input_tokens",
  "llm_output_tokens",
  "llm_cost_usd",
  "dedupe_key",
  "owner",
  "prev_hash",
  "hash",
] as const;

type Exported = Record<(typeof COLUMNS)[number], unknown>;

/**
 * One audit row as an export sees it. Rows are stored redacted already; every value goes through
 * redactValue again, so a secret shape learnt since the row was written is masked on the way out.
 */
export function exportedRow(row: ChainedColumns & { prev_hash: unknown; hash: unknown }): Exported {
  const out = {} as Exported;
  // Value by value: the column names themselves (llm_input_tokens…) are not secrets.
  for (const column of COLUMNS) out[column] = redactValue(normalise(column, row[column]));
  return out;
}

function normalise(column: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (column === "command" && typeof value === "string") {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  if (column === "llm_cost_usd") return Number(value);
  if (["id", "seq", "duration_ms", "llm_input_tokens", "llm_output_tokens"].includes(column)) return Number(value);
  return value;
}

export function csvHeader(): string {
  return `${COLUMNS.join(",")}\r\n`;
}

/** One line of JSON per row. */
export function jsonLine(row: Exported): string {
  return `${JSON.stringify(row)}\n`;
}

/** RFC 4180: fields with commas, quotes or line breaks are quoted, quotes doubled. */
export function csvLine(row: Exported): string {
  return `${COLUMNS.map((column) => csvField(row[column])).join(",")}\r\n`;
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "object" ? JSON.stringify(value) : String(value);
  // A spreadsheet would run a cell that starts like a formula (text people typed): keep it text.
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
