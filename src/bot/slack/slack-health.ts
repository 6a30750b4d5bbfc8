import type { Clock } from "../../clock.js";
import { formatDuration } from "../format.js";
import type { ConnectionWatcher } from "../platform-connection.js";

type SocketState = "connecting" | "connected" | "reconnecting" | "stopped";

/**
 * Whether requests arrive from Slack (DESIGN.md: health means events arrive, not that the socket
 * says connected), for `/orchestrate status`. Every command, event and click that passed Bolt's
 * checks counts; in Socket Mode the connection's state is shown beside it.
 */
export class SlackHealth implements ConnectionWatcher {
  private state: SocketState = "connecting";
  private lastEventAt: Date | null = null;
  /** Set while auth.test fails: Slack's API cannot be reached, so requests are answered 503. */
  private outage: { attempts: number; reason: string; retryAt: Date } | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly mode: "socket" | "http",
  ) {}

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

  connected(): void {
    this.state = "connected";
  }

  reconnecting(): void {
    if (this.state !== "stopped") this.state = "reconnecting";
  }

  stopped(): void {
    this.state = "stopped";
  }

  /** For /readyz: Slack's API answers and, in Socket Mode, the socket is connected. */
  isReady(): boolean {
    if (this.outage !== null || this.state === "stopped") return false;
    return this.mode === "http" || this.state === "connected";
  }

  describe(): string {
    const last = this.lastEventAt ? `last ${this.ago(this.lastEventAt)} ago` : "none yet";
    if (this.state === "stopped") return "slack: stopped";
    if (this.outage) return this.describeOutage(this.outage);
    if (this.state === "reconnecting") return `slack: reconnecting the socket (events: ${last})`;
    if (this.lastEventAt) return `slack: events arriving (${last})`;
    if (this.mode === "http") return "slack: listening, no events yet";
    return this.state === "connected" ? "slack: connected, no events yet" : "slack: connecting the socket";
  }

  private describeOutage(outage: { attempts: number; reason: string; retryAt: Date }): string {
    const wait = Math.max(0, outage.retryAt.getTime() - this.clock.now().getTime());
    const tries = outage.attempts === 1 ? "1 try" : `${outage.attempts} tries`;
    const served = this.mode === "http" ? "; requests are answered 503 so Slack sends them again" : "";
    return `slack: Slack is unreachable (${outage.reason}; ${tries}, next in ${Math.ceil(wait / 1000)} s)${served}`;
  }

  private ago(at: Date): string {
    const ms = Math.max(0, this.clock.now().getTime() - at.getTime());
    return ms < 60_000 ? `${Math.round(ms / 1000)} s` : formatDuration(ms);
  }
}
