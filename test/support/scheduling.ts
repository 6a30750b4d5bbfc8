import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChannelPublisher, PostedMessage } from "../../src/bot/chat.js";
import type { Reply } from "../../src/bot/reply.js";
import type { Clock } from "../../src/clock.js";
import type { ScheduleRecord } from "../../src/db/repositories/schedule-repository.js";
import { BatonError } from "../../src/errors.js";
import type { FireDriver } from "../../src/orchestrator/scheduler/job-driver.js";

/** Arms nothing: the test calls the scheduler's fire() with computed fire times itself. */
export class ManualDriver implements FireDriver {
  readonly armed = new Map<string, ScheduleRecord>();
  arm(schedule: ScheduleRecord): void {
    this.armed.set(schedule.id, schedule);
  }
  disarm(id: string): void {
    this.armed.delete(id);
  }
  disarmAll(): void {
    this.armed.clear();
  }
}

/** A ChannelPublisher that records every post (and can fail its first `failures` attempts). */
export class RecordingPublisher implements ChannelPublisher {
  readonly posts: Array<{ channel: string; reply: Reply; idempotencyKey: string }> = [];
  attempts = 0;

  constructor(
    readonly platform: string,
    private failures = 0,
  ) {}

  async publish(channel: string, reply: Reply, options: { idempotencyKey: string }): Promise<PostedMessage> {
    this.attempts += 1;
    if (this.failures > 0) {
      this.failures -= 1;
      throw new BatonError("unavailable", "The platform answered 503.", { retryable: true });
    }
    this.posts.push({ channel, reply, idempotencyKey: options.idempotencyKey });
    return { id: `${this.platform}-${this.posts.length}` };
  }
}

export interface ReceivedPost {
  channel: string;
  text: string;
  idempotencyKey: string;
}

/**
 * A local chat server at the network edge: POST /messages {channel, text, blocks} with an
 * Idempotency-Key header answers {id}; it fails the first `failFirst` requests with 503 (or every
 * one with `failAlways`), and a key it has already posted under gets the same id back.
 */
export class FakeChatServer {
  readonly requests: ReceivedPost[] = [];
  readonly posted = new Map<string, string>();
  failFirst = 0;
  failAlways = false;
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.answer(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async answer(req: IncomingMessage, res: import("node:http").ServerResponse): Promise<void> {
    let body = "";
    for await (const chunk of req) body += String(chunk);
    const parsed = JSON.parse(body) as { channel: string; text: string };
    const idempotencyKey = String(req.headers["idempotency-key"] ?? "");
    this.requests.push({ channel: parsed.channel, text: parsed.text, idempotencyKey });
    if (this.failAlways || this.failFirst > 0) {
      this.failFirst -= 1;
      res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ ok: false, error: "busy" }));
      return;
    }
    const id = this.posted.get(idempotencyKey) ?? `msg-${this.posted.size + 1}`;
    this.posted.set(idempotencyKey, id);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, id }));
  }
}

/** A ChannelPublisher over HTTP to the fake server: 5xx is retryable, 4xx is not. */
export class HttpPublisher implements ChannelPublisher {
  constructor(
    readonly platform: string,
    private readonly baseUrl: string,
  ) {}

  async publish(channel: string, reply: Reply, options: { idempotencyKey: string }): Promise<PostedMessage> {
    const response = await fetch(`${this.baseUrl}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": options.idempotencyKey },
      body: JSON.stringify({ channel, text: reply.text, blocks: reply.blocks }),
    });
    const body = (await response.json()) as { ok: boolean; id?: string; error?: string };
    if (!response.ok || !body.ok || !body.id) {
      throw new BatonError("unavailable", `The chat server answered ${response.status} (${body.error ?? "no id"}).`, {
        retryable: response.status >= 500,
      });
    }
    return { id: body.id };
  }
}

export interface SchedulingAppOptions {
  url: string;
  clock?: Clock;
  publishers?: ChannelPublisher[];
  driver?: FireDriver;
  env?: Record<string, string>;
  workflowsDir?: string;
}

/** A whole app (createApp) with a clock, publishers and a fire driver of the test's choosing. */
export async function startSchedulingApp(options: SchedulingAppOptions) {
  const { createApp } = await import("../../src/app.js");
  const { loadConfig } = await import("../../src/config.js");
  const { silentLogger } = await import("../../src/logger.js");
  const { WORKFLOWS_DIR } = await import("./cli.js");
  const config = loadConfig({
    DATABASE_URL: options.url,
    BATON_WORKFLOWS_DIR: options.workflowsDir ?? WORKFLOWS_DIR,
    LOG_LEVEL: "silent",
    BATON_DIGEST_RETRY_MS: "1",
    ...options.env,
  });
  return createApp(config, silentLogger, {
    frontEnds: ["test"],
    ...(options.clock && { clock: options.clock }),
    publishers: options.publishers ?? [],
    fireDriver: options.driver ?? new ManualDriver(),
  });
}
