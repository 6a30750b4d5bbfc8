import { z } from "zod";

/** How a number variable is described in its error: "a number", "milliseconds", "a port number". */
export interface NumberKind {
  /** Only whole numbers are accepted. */
  whole?: boolean;
  /** Defaults to "a whole number" or "a number". */
  what?: string;
}

/**
 * A number variable from `min` to `max` (inclusive), `fallback` when unset. Every way it can be
 * wrong gets the same one sentence, e.g. `expected a whole number from 1 to 10`.
 */
export function bounded(fallback: number, min: number, max: number, kind: NumberKind = {}): z.ZodType<number, unknown> {
  const what = kind.what ?? (kind.whole ? "a whole number" : "a number");
  const message = `expected ${what} from ${min} to ${max}`;
  const number = z.coerce.number({ message });
  return (kind.whole ? number.int(message) : number).min(min, message).max(max, message).default(fallback);
}

/** Milliseconds, whole, from `min` to `max`. */
export const millis = (fallback: number, min: number, max: number) =>
  bounded(fallback, min, max, { whole: true, what: "milliseconds" });

/** A TCP port; 0 lets the system choose one. */
export const port = (fallback: number) => bounded(fallback, 0, 65_535, { whole: true, what: "a port number" });
