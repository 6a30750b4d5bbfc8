import type { Clock } from "../clock.js";
import type { LlmError } from "./errors.js";

export type HealthState = "ok" | "cooling" | "open";

export interface ProviderHealthSnapshot {
  provider: string;
  state: HealthState;
  consecutiveFailures: number;
  /** When the provider may be tried again (retry-after or cooldown), if it is resting. */
  until: Date | null;
  lastError: string | null;
}

interface Entry {
  failures: number;
  until: number;
  open: boolean;
  /** After a cooldown, one trial call is in flight and the others wait for its verdict. */
  trial: boolean;
  lastError: string | null;
}

/**
 * A circuit breaker per provider (LiteLLM's cooldowns). `retry-after` rests a provider until then;
 * `failuresToOpen` failures in a row open the circuit for `cooldownMs`; after that one trial call
 * decides: success closes it, failure opens it again.
 */
export class ProviderHealth {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly failuresToOpen: number,
    private readonly cooldownMs: number,
  ) {}

  /** Whether to call the provider now; after a cooldown, true for one trial call only. */
  available(provider: string): boolean {
    const entry = this.entry(provider);
    if (entry.until > this.clock.now().getTime()) return false;
    if (!entry.open) return true;
    if (entry.trial) return false;
    entry.trial = true;
    return true;
  }

  succeeded(provider: string): void {
    this.entries.set(provider, fresh());
  }

  /** A call ended with no verdict on the provider (the request's deadline passed, or a 400). */
  released(provider: string): void {
    this.entry(provider).trial = false;
  }

  failed(provider: string, error: LlmError): void {
    const entry = this.entry(provider);
    const now = this.clock.now().getTime();
    entry.failures += 1;
    entry.trial = false;
    entry.lastError = `${error.code}${error.status ? ` (${error.status})` : ""}: ${error.message}`;
    if (error.retryAfterMs !== null) entry.until = Math.max(entry.until, now + error.retryAfterMs);
    if (entry.failures >= this.failuresToOpen) {
      entry.open = true;
      entry.until = Math.max(entry.until, now + this.cooldownMs);
    }
  }

  snapshot(providers: readonly string[]): ProviderHealthSnapshot[] {
    const now = this.clock.now().getTime();
    return providers.map((provider) => {
      const entry = this.entry(provider);
      const resting = entry.until > now;
      const state: HealthState = entry.open ? "open" : resting ? "cooling" : "ok";
      return {
        provider,
        state,
        consecutiveFailures: entry.failures,
        until: resting ? new Date(entry.until) : null,
        lastError: entry.lastError,
      };
    });
  }

  private entry(provider: string): Entry {
    let entry = this.entries.get(provider);
    if (!entry) {
      entry = fresh();
      this.entries.set(provider, entry);
    }
    return entry;
  }
}

function fresh(): Entry {
  return { failures: 0, until: 0, open: false, trial: false, lastError: null };
}
