import { zonedParts } from "../clock.js";
/** Small text helpers shared by the renderers. */

export const STATUS_ICON: Record<string, string> = {
  pending: "🕓",
  running: "⏳",
  waiting: "✋",
  succeeded: "✅",
  failed: "❌",
  cancelled: "🚫",
  interrupted: "⚠️",
  skipped: "⏭️",
  ok: "✅",
  denied: "⛔",
  invalid: "❓",
  unavailable: "🚧",
  error: "❌",
};

export function icon(status: string): string {
  return STATUS_ICON[status] ?? "•";
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return minutes < 60 ? `${minutes} min ${seconds} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** When a reply is rendered, and in which time zone its timestamps are shown (TZ). */
export interface RenderTime {
  now: Date;
  timeZone: string;
}

/** "just now", "5 min ago", "3 h ago", else the date and time in the configured time zone. */
export function formatWhen(at: Date, time: RenderTime): string {
  const ms = time.now.getTime() - at.getTime();
  if (ms < 0) return formatTimestamp(at, time.timeZone);
  if (ms < 45_000) return "just now";
  if (ms < 3600_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 24 * 3600_000) return `${Math.round(ms / 3600_000)} h ago`;
  return formatTimestamp(at, time.timeZone);
}

/** "2026-11-21 09:30 GMT+1": sortable, with the zone named. */
export function formatTimestamp(at: Date, timeZone: string): string {
  const part = zonedParts(at, timeZone);
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")} ${part("timeZoneName")}`;
}

export { truncate } from "../text.js";

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
