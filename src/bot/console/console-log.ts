import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { LogLevel } from "../../config.js";
import { atLeast, createLogger, type LogEntry, type Logger } from "../../logger.js";
import type { ConsoleScreen } from "./console-screen.js";

/** Where logs go while the REPL is open when BATON_LOG_FILE is not set. */
export const DEFAULT_CONSOLE_LOG_FILE = "./data/baton.log";

export interface ConsoleLog {
  logger: Logger;
  /** Said once under the console's greeting: where the log lines go. */
  notice: string;
  close(): void;
}

/**
 * The logger while the console REPL is open: JSON lines go to a file (appended; written
 * synchronously, so nothing is lost when baton stops), never over the prompt. Warnings and errors
 * are also shown above the prompt as one readable line. A file that cannot be opened leaves the
 * console showing warnings and errors only, and says so.
 */
export function consoleLog(path: string, level: LogLevel, screen: Pick<ConsoleScreen, "print">): ConsoleLog {
  const show = (entry: LogEntry) => {
    if (atLeast(entry.level, "warn")) screen.print(readable(entry));
  };
  let fd: number;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, "a", 0o600);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      logger: createLogger(atLeast(level, "warn") ? level : "warn", (_line, entry) => show(entry)),
      notice: `Logs: ${path} could not be opened (${reason}); warnings and errors are shown here.`,
      close: () => {},
    };
  }
  let open = true;
  return {
    logger: createLogger(level, (line, entry) => {
      if (open) writeSync(fd, line);
      show(entry);
    }),
    notice: `Logs go to ${path}.`,
    close: () => {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}

/** "⚠ could not deliver a digest: Slack said channel_not_found" */
function readable(entry: LogEntry): string {
  const error = entry.error as { message?: unknown } | undefined;
  const detail = typeof error?.message === "string" ? `: ${error.message}` : "";
  return `${entry.level === "error" ? "❌" : "⚠"} ${entry.msg}${detail}`;
}
