import { createHash } from "node:crypto";

/**
 * Values from platforms are clipped to their column's size before they are written: PostgreSQL
 * rejects an over-long VARCHAR (SQLite does not), and a rejected audit row would lose the request.
 */
export function clip(value: string, max: number): string;
export function clip(value: string | null, max: number): string | null;
export function clip(value: string | null, max: number): string | null {
  if (value === null || value.length <= max) return value;
  return `${value.slice(0, max - 1)}…`;
}

/** Keys must stay unique, so a long one keeps its start and gains a hash of the whole. */
export function clipKey(value: string, max: number): string {
  if (value.length <= max) return value;
  const digest = createHash("sha256").update(value).digest("hex");
  return `${value.slice(0, max - digest.length - 1)}#${digest}`;
}

/** A date column as each dialect returns it: a Date (PostgreSQL) or its stored text (SQLite). */
export function dateColumn(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}
