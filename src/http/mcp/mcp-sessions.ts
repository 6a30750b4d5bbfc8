import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { Clock, Timer } from "../../clock.js";
import type { Logger } from "../../logger.js";

/** One open MCP session over streamable HTTP, and the token it was opened with. */
export interface OpenSession {
  id: string;
  tokenId: number | null;
  server: Server;
  transport: StreamableHTTPServerTransport;
  lastUsed: number;
}

export interface SessionLimits {
  /** Open sessions at most; a new one beyond it is refused (503) until one ends or idles out. */
  maxSessions: number;
  /** A session nobody used for this long is closed. */
  idleMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { maxSessions: 1000, idleMs: 30 * 60_000 };

/**
 * The open sessions by id, with their cap and idle expiry (on the injected clock, so a test
 * advances it). Closing a session's server removes it here (its `onclose`).
 */
export class McpSessions {
  private readonly open = new Map<string, OpenSession>();
  private readonly sweeper: Timer;

  constructor(private readonly deps: { clock: Clock; logger: Logger; limits: SessionLimits }) {
    this.sweeper = deps.clock.setInterval(() => void this.dropIdle(), Math.min(deps.limits.idleMs, 60_000));
  }

  get size(): number {
    return this.open.size;
  }

  get(id: string): OpenSession | undefined {
    const session = this.open.get(id);
    if (session) session.lastUsed = this.now();
    return session;
  }

  add(session: Omit<OpenSession, "lastUsed">): void {
    const entry = { ...session, lastUsed: this.now() };
    this.open.set(session.id, entry);
    session.server.onclose = () => {
      if (this.open.get(session.id) === entry) this.open.delete(session.id);
    };
  }

  /** Whether one more session fits, after idle ones are dropped. */
  async hasRoom(): Promise<boolean> {
    if (this.open.size < this.deps.limits.maxSessions) return true;
    await this.dropIdle();
    return this.open.size < this.deps.limits.maxSessions;
  }

  async dropIdle(): Promise<void> {
    const cutoff = this.now() - this.deps.limits.idleMs;
    const idle = [...this.open.values()].filter((session) => session.lastUsed <= cutoff);
    if (idle.length > 0) this.deps.logger.info("closing idle mcp sessions", { count: idle.length });
    await Promise.all(idle.map((session) => this.closeOne(session)));
  }

  /** Closes every session (the server is stopping). */
  async closeAll(): Promise<void> {
    this.sweeper.cancel();
    await Promise.all([...this.open.values()].map((session) => this.closeOne(session)));
  }

  private async closeOne(session: OpenSession): Promise<void> {
    this.open.delete(session.id);
    try {
      await session.server.close();
    } catch (error) {
      this.deps.logger.warn("could not close an mcp session", { error });
    }
  }

  private now(): number {
    return this.deps.clock.now().getTime();
  }
}
