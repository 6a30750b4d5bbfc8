import type { Clock } from "../../clock.js";
import { formatDuration } from "../format.js";

type SocketState = "connecting" | "connected" | "reconnecting" | "stopped";

/**
 * Whether requests arrive from Slack (DESIGN.md: health means events arrive, not that the socket
 * says connected), for `/orchestrate status`. Every command, event and click that passed Bolt's
 * checks counts; in Socket Mode the connection's state is shown beside it.
 */
export class SlackHealth {
  private state: SocketState = "connecting";
  private lastEventAt: Date | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly mode: "socket" | "http",
  ) {}

  event(): void {
    this.lastEventAt = this.clock.now();
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

  describe(): string {
    const last = this.lastEventAt ? `last ${this.ago(this.lastEventAt)} ago` : "none yet";
    if (this.state === "stopped") return "slack: stopped";
    if (this.state === "reconnecting") return `slack: reconnecting the socket (events: ${last})`;
    if (this.lastEventAt) return `slack: events arriving (${last})`;
    if (this.mode === "http") return "slack: listening, no events yet";
    return this.state === "connected" ? "slack: connected, no events yet" : "slack: connecting the socket";
  }

  private ago(at: Date): string {
    const ms = Math.max(0, this.clock.now().getTime() - at.getTime());
    return ms < 60_000 ? `${Math.round(ms / 1000)} s` : formatDuration(ms);
  }
}
