import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type HTTPReceiver, verifySlackRequest } from "@slack/bolt";
import type { Clock } from "../../clock.js";
import type { Logger } from "../../logger.js";
import { readBody } from "../read-body.js";
import { checkSlackBody, isSslCheck, type PayloadProblem, readSlackBody, refusalKey } from "./slack-payload.js";

export const EVENTS_PATH = "/slack/events";
/** Slack's own limit on a request's age, applied both ways: a timestamp from the future is refused too. */
const MAX_SKEW_S = 5 * 60;
const MAX_BODY_BYTES = 1024 * 1024;
/** What a 503 tells Slack: try again in a minute (Slack redelivers events on its own schedule). */
const RETRY_AFTER_S = 60;

export interface FrontDoorDeps {
  signingSecret: string;
  /** Bolt's receiver: every request that passed the checks below goes on to it, body already read. */
  receiver: HTTPReceiver;
  /** Whether Slack's API answered auth.test; until then requests are answered 503. */
  ready: () => boolean;
  /** Records a signed request baton refused (one audit row with outcome `invalid`). */
  refused: (problem: PayloadProblem, dedupeKey: string, receivedAt: Date) => Promise<void>;
  clock: Clock;
  logger: Logger;
}

/**
 * The HTTP server in front of Bolt's HTTPReceiver (HTTP mode). Bolt accepts timestamps from the
 * future, crashes on a signed JSON `null`, and hands listeners whatever shape was signed; and while
 * its auth.test has not succeeded it answers 200 and drops the request. So every request is read,
 * verified (signature, timestamp within 5 minutes either way), checked for shape (400 and an
 * audit row when baton cannot read it) and held back with 503 while Slack's API is unreachable,
 * before Bolt sees it.
 * @see https://api.slack.com/authentication/verifying-requests-from-slack
 */
export class SlackFrontDoor {
  private readonly server: Server;

  constructor(private readonly deps: FrontDoorDeps) {
    this.server = createServer((req, res) => void this.serve(req, res));
  }

  async listen(port: number): Promise<number> {
    this.server.listen(port);
    await Promise.race([
      once(this.server, "listening"),
      once(this.server, "error").then(([error]) => Promise.reject(error)),
    ]);
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** One request to EVENTS_PATH, as the one HTTP server (src/http) hands it over. */
  readonly serve = (req: IncomingMessage, res: ServerResponse): Promise<void> =>
    this.handle(req, res).catch((error: unknown) => {
      this.deps.logger.error("slack request could not be read", { error });
      if (!res.headersSent) answer(res, 500, "baton could not read this request.");
    });

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST" || new URL(req.url ?? "/", "http://x").pathname !== EVENTS_PATH) {
      answer(res, 404, `POST Slack requests to ${EVENTS_PATH}.`);
      return;
    }
    const raw = await readBody(req, MAX_BODY_BYTES);
    if (raw === null) {
      answer(res, 413, "The request body is too large.");
      return;
    }
    const text = raw.toString("utf8");
    const body = readSlackBody(text, header(req, "content-type") ?? undefined);
    if (!isSslCheck(body) && !this.verified(req, text)) {
      answer(res, 401, "The request is not signed by Slack, or its timestamp is more than 5 minutes off.");
      return;
    }
    const check = isSslCheck(body) ? { ok: true as const, needsApi: false } : checkSlackBody(body);
    if (!check.ok) {
      await this.refuse(check.problem);
      answer(res, 400, check.problem.message);
      return;
    }
    if (check.needsApi && !this.deps.ready()) {
      res.setHeader("retry-after", String(RETRY_AFTER_S));
      answer(res, 503, "baton cannot reach Slack's API yet; Slack will send this again.");
      return;
    }
    // Bolt reads `rawBody` instead of the (already consumed) stream.
    Object.assign(req, { rawBody: raw });
    this.deps.receiver.requestListener(req, res);
  }

  private verified(req: IncomingMessage, body: string): boolean {
    const signature = header(req, "x-slack-signature");
    const stamp = header(req, "x-slack-request-timestamp");
    if (signature === null || stamp === null || !/^\d{1,12}$/.test(stamp)) return false;
    const now = this.deps.clock.now().getTime();
    if (Math.abs(Math.floor(now / 1000) - Number(stamp)) > MAX_SKEW_S) return false;
    try {
      verifySlackRequest({
        signingSecret: this.deps.signingSecret,
        body,
        headers: { "x-slack-signature": signature, "x-slack-request-timestamp": Number(stamp) },
        nowMilliseconds: now,
      });
      return true;
    } catch {
      return false;
    }
  }

  private async refuse(problem: PayloadProblem): Promise<void> {
    this.deps.logger.warn("refused a malformed slack request", {
      code: problem.code,
      channel: problem.salvage.channel,
    });
    await this.deps.refused(problem, refusalKey(problem), this.deps.clock.now());
  }
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === "string" ? value : null;
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: text }));
}
