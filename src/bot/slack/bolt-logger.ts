import { LogLevel, type Logger as SlackLogger } from "@slack/bolt";
import type { Logger } from "../../logger.js";

/** Bolt and its WebClient log through baton's JSON logger, so their lines land beside ours. */
export function boltLogger(logger: Logger): SlackLogger {
  let level = LogLevel.INFO;
  const text = (parts: unknown[]) => parts.map((p) => (p instanceof Error ? p.message : String(p))).join(" ");
  return {
    debug: (...parts: unknown[]) => logger.debug(`slack: ${text(parts)}`),
    info: (...parts: unknown[]) => logger.info(`slack: ${text(parts)}`),
    warn: (...parts: unknown[]) => logger.warn(`slack: ${text(parts)}`),
    error: (...parts: unknown[]) => logger.error(`slack: ${text(parts)}`),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
