import { BatonError } from "../../errors.js";

/** Why a run stops short: shared by the runner and the composite steps (groups, loops). */
export const INTERRUPTED = new BatonError("interrupted", "baton shut down while this step was running.");
export const CANCELLED = new BatonError("cancelled", "The execution was cancelled.");
export const LEASE_LOST = new BatonError(
  "lease_lost",
  "Another process took this execution over after its lease expired.",
);
/** Failures that stop a run whatever the step's onError says. */
export const STOPS: ReadonlySet<string> = new Set(["interrupted", "cancelled", "lease_lost"]);

/** The reason an aborted signal carries, as a BatonError. */
export function abortReason(signal: AbortSignal): BatonError {
  return signal.reason instanceof BatonError ? signal.reason : CANCELLED;
}
