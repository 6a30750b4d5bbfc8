import { once } from "node:events";
import type { Writable } from "node:stream";
import { parseArgs } from "node:util";
import type { Config } from "../config.js";
import { openDatabase } from "../db/database.js";
import { AuditLogReader } from "../db/repositories/audit-log-reader.js";
import type { Logger } from "../logger.js";
import { csvHeader, csvLine, EXPORT_FORMATS, type ExportFormat, exportedRow, jsonLine } from "./audit-export.js";
import { verifyChain } from "./verify-chain.js";

export interface AuditCliIo {
  stdout: Writable;
  stderr: NodeJS.WritableStream;
}

/** A mistake in how `baton audit` was called: one sentence, exit 2. */
class AuditUsageError extends Error {}

/** `baton audit verify|export …`; resolves with the exit code. */
export async function auditCommand(args: string[], config: Config, logger: Logger, io: AuditCliIo): Promise<number> {
  const [action, ...rest] = args;
  try {
    if (action === "verify") return await verify(rest, config, logger, io);
    if (action === "export") return await exportRows(rest, config, logger, io);
    throw new AuditUsageError(`baton audit takes \`verify\` or \`export\`, not ${action ? `"${action}"` : "nothing"}.`);
  } catch (error) {
    if (!(error instanceof AuditUsageError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 2;
  }
}

async function verify(args: string[], config: Config, logger: Logger, io: AuditCliIo): Promise<number> {
  options(args, {});
  return withReader(config, logger, async (reader) => {
    const verdict = await verifyChain(reader.chained());
    if (!verdict.intact) {
      io.stderr.write(`${verdict.problem} (${verdict.verified} row(s) before it verified.)\n`);
      return 1;
    }
    const pending = await reader.pendingCount();
    const open = pending > 0 ? ` ${pending} still open, chained when they close.` : "";
    io.stdout.write(`Verified ${verdict.verified} audit row(s): the chain is intact.${open}\n`);
    return 0;
  });
}

async function exportRows(args: string[], config: Config, logger: Logger, io: AuditCliIo): Promise<number> {
  const values = options(args, { since: { type: "string" }, until: { type: "string" }, format: { type: "string" } });
  const since = parseDate("--since", values.since);
  const until = parseDate("--until", values.until);
  const format = parseFormat(values.format);
  if (since && until && until <= since) {
    throw new AuditUsageError("--until must be later than --since.");
  }
  return withReader(config, logger, async (reader) => {
    if (format === "csv") await write(io.stdout, csvHeader());
    for await (const row of reader.between(since, until)) {
      const exported = exportedRow(row);
      await write(io.stdout, format === "csv" ? csvLine(exported) : jsonLine(exported));
    }
    return 0;
  });
}

function options(args: string[], spec: Record<string, { type: "string" }>): Record<string, string | undefined> {
  try {
    const { values, positionals } = parseArgs({ args, options: spec, allowPositionals: true, strict: true });
    if (positionals.length > 0) throw new AuditUsageError(`Unexpected argument "${positionals[0]}".`);
    return values as Record<string, string | undefined>;
  } catch (error) {
    if (error instanceof AuditUsageError) throw error;
    throw new AuditUsageError(error instanceof Error ? error.message : String(error));
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** A calendar date (midnight UTC) or a date-time with its zone; anything else is refused. */
export function parseDate(flag: string, value: string | undefined): Date | null {
  if (value === undefined) return null;
  const match = DATE.exec(value);
  const date = match ? new Date(match[4] === undefined ? `${value}T00:00:00Z` : value) : null;
  const sameDay = match && date && !Number.isNaN(date.getTime()) && calendarExists(match);
  if (!date || !sameDay) {
    throw new AuditUsageError(
      `${flag} "${value}" is not a date; use 2026-01-31 or 2026-01-31T09:00:00Z (a time needs its zone).`,
    );
  }
  return date;
}

/** Date parsing rolls 2026-02-31 over to March: refuse days a month does not have. */
function calendarExists(match: RegExpExecArray): boolean {
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

function parseFormat(value: string | undefined): ExportFormat {
  if (value === undefined) return "jsonl";
  if ((EXPORT_FORMATS as readonly string[]).includes(value)) return value as ExportFormat;
  throw new AuditUsageError(`--format "${value}" is not supported; use jsonl or csv.`);
}

async function withReader(config: Config, logger: Logger, work: (reader: AuditLogReader) => Promise<number>) {
  const database = await openDatabase({ url: config.databaseUrl, logger, busyTimeoutMs: config.busyTimeoutMs });
  try {
    return await work(new AuditLogReader(database));
  } finally {
    await database.close();
  }
}

/** Respects backpressure, so a long export into a slow pipe does not pile up in memory. */
async function write(stream: Writable, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, "drain");
}
