import type { Clock } from "../../clock.js";
import { formatDuration } from "../format.js";
import type { ConnectionWatcher } from "../platform-connection.js";

type GatewayState = "connecting" | "ready" | "reconnecting" | "stopped";

/**
 * Whether events arrive from the gateway (DESIGN.md: health means events arrive, not that the
 * socket says connected), for `/orchestrate status`.
 */
export class GatewayHealth implements ConnectionWatcher {
  private state: GatewayState = "connecting";
  private lastEventAt: Date | null = null;
  /** Set while logging in fails for want of an answer from Discord. */
  private outage: { attempts: number; reason: string; retryAt: Date } | null = null;

  constructor(private readonly clock: Clock) {}

  event(): void {
    this.lastEventAt = this.clock.now();
  }

  unreachable(failure: { attempts: number; reason: string; retryInMs: number }): void {
    const retryAt = new Date(this.clock.now().getTime() + failure.retryInMs);
    this.outage = { attempts: failure.attempts, reason: failure.reason, retryAt };
  }

  verified(): void {
    this.outage = null;
  }

  /** For /readyz: the gateway is ready and Discord's API answers. */
  isReady(): boolean {
    return this.state === "ready" && this.outage === null;
  }

  ready(): void {
    this.state = "ready";
  }

  reconnecting(): void {
    this.state = "reconnecting";
  }

  stopped(): void {
    this.state = "stopped";
  }

  get lastEvent(): Date | null {
    return this.lastEventAt;
  }

  describe(): string {
    const last = this.lastEventAt ? `last ${this.ago(this.lastEventAt)} ago` : "none yet";
    if (this.outage && this.state !== "stopped") {
      const wait = Math.max(0, this.outage.retryAt.getTime() - this.clock.now().getTime());
      const tries = this.outage.attempts === 1 ? "1 try" : `${this.outage.attempts} tries`;
      return `discord: Discord is unreachable (${this.outage.reason}; ${tries}, next in ${Math.ceil(wait / 1000)} s)`;
    }
    switch (this.state) {
      case "stopped":
        return "discord: stopped";
      case "connecting":
        return "discord: connecting to the gateway";
      case "reconnecting":
        return `discord: reconnecting to the gateway (events: ${last})`;
      case "ready":
        return this.lastEventAt ? `discord: events arriving (${last})` : "discord: connected, no events yet";
    }
  }

  private ago(at: Date): string {
    const ms = Math.max(0, this.clock.now().getTime() - at.getTime());
    return ms < 60_000 ? `${Math.round(ms / 1000)} s` : formatDuration(ms);
  }
}
