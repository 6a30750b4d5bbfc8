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

  available(provider: string): boolean {
    return this.entry(provider).until <= this.clock.now().getTime();
  }

  succeeded(provider: string): void {
    this.entries.set(provider, { failures: 0, until: 0, open: false, lastError: null });
  }

  failed(provider: string, error: LlmError): void {
    const entry = this.entry(provider);
    const now = this.clock.now().getTime();
    entry.failures += 1;
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
      const state: HealthState = resting ? (entry.open ? "open" : "cooling") : "ok";
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
      entry = { failures: 0, until: 0, open: false, lastError: null };
      this.entries.set(provider, entry);
    }
    return entry;
  }
}
