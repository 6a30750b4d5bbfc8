import type { LogLevel } from "./config.js";
import { redactSecrets, redactValue } from "./redact.js";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, unknown>;

/** One log line as written (redacted): its level, message and fields. */
export type LogEntry = { time: string; level: Exclude<LogLevel, "silent">; msg: string } & LogFields;

/** Whether an entry at `at` is at least as severe as `threshold`. */
export function atLeast(at: LogLevel, threshold: LogLevel): boolean {
  return ORDER[at] >= ORDER[threshold];
}

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/**
 * One JSON line per entry on stderr, so stdout stays for replies (console, `baton say --json`).
 * Every message and field is redacted on the way out (by shape, and by key name in fields).
 */
export function createLogger(
  level: LogLevel,
  write: (line: string, entry: LogEntry) => void = (l) => process.stderr.write(l),
): Logger {
  const emit = (at: Exclude<LogLevel, "silent">, message: string, fields?: LogFields) => {
    if (ORDER[at] < ORDER[level]) return;
    const entry: LogEntry = {
      time: new Date().toISOString(),
      level: at,
      msg: redactSecrets(message),
      ...serialise(fields),
    };
    write(`${JSON.stringify(entry)}\n`, entry);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}

function serialise(fields: LogFields | undefined): LogFields {
  if (!fields) return {};
  const plain = Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, plainError(value)]));
  return redactValue(plain);
}

/** How many causes deep an error is written; the rest of the chain is cut with a marker. */
const MAX_CAUSE_DEPTH = 5;

/**
 * An Error as plain JSON (JSON.stringify writes `{}` for one): name, message, code, stack and its
 * `cause` chain, bounded in depth and safe against a cycle. Strings in it are redacted with the rest
 * of the fields (`serialise`).
 */
function plainError(value: unknown, depth = 0, seen: ReadonlySet<Error> = new Set()): unknown {
  if (!(value instanceof Error)) return value;
  if (seen.has(value)) return { name: value.name, circular: true };
  if (depth > MAX_CAUSE_DEPTH) return { name: value.name, truncated: true };
  const { code, cause } = value as { code?: unknown; cause?: unknown };
  return {
    name: value.name,
    message: value.message,
    ...(code === undefined ? {} : { code }),
    ...(value.stack === undefined ? {} : { stack: value.stack }),
    ...(cause === undefined ? {} : { cause: plainError(cause, depth + 1, new Set([...seen, value])) }),
  };
}

export const silentLogger: Logger = createLogger("silent");
