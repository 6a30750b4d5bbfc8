import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InteractionResponseType, MessageFlags } from "discord.js";
import type { Clock } from "../../clock.js";
import type { Logger } from "../../logger.js";
import { readBody } from "../read-body.js";
import type { DiscordHandler } from "./discord-handler.js";
import type { IncomingInteraction } from "./discord-interaction.js";
import { type InteractionProblem, parseInteraction, unreadableBody } from "./interaction-payload.js";
import type { InteractionAck } from "./interaction-responder.js";

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const MAX_BODY_BYTES = 1024 * 1024;
/** Where the one HTTP server serves the endpoint; `/interactions` is the path it had on its own port. */
export const INTERACTIONS_PATH = "/discord/interactions";
export const INTERACTIONS_PATHS: readonly string[] = [INTERACTIONS_PATH, "/interactions"];
/** Discord waits 3 s for the first answer; answer with an error before then if no ack came. */
const ACK_DEADLINE_MS = 2500;

export function ed25519PublicKey(hex: string): KeyObject {
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, "hex")]),
    format: "der",
    type: "spki",
  });
}

/** Whether Discord signed `timestamp + body` with the application's key. */
export function verifySignature(key: KeyObject, signature: string, timestamp: string, body: Buffer): boolean {
  if (!/^[0-9a-f]{128}$/i.test(signature) || timestamp.length === 0) return false;
  try {
    return verify(null, Buffer.concat([Buffer.from(timestamp), body]), key, Buffer.from(signature, "hex"));
  } catch {
    return false;
  }
}

/**
 * Discord interactions over HTTP (DISCORD_PUBLIC_KEY), for deployments without a gateway
 * connection: every request's Ed25519 signature is checked (401 otherwise), PING is answered with
 * PONG, commands and clicks get their deferral as the HTTP response and the rest via the webhook.
 * @see https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint
 */
export class InteractionsEndpoint {
  private readonly server: Server;
  private readonly key: KeyObject;

  constructor(private readonly deps: { publicKey: string; handler: DiscordHandler; clock: Clock; logger: Logger }) {
    this.key = ed25519PublicKey(deps.publicKey);
    this.server = createServer((req, res) => void this.serve(req, res));
  }

  /** One request, as the one HTTP server (src/http) hands it over or this endpoint's own server. */
  readonly serve = (req: IncomingMessage, res: ServerResponse): Promise<void> =>
    this.handle(req, res).catch((error: unknown) => {
      this.deps.logger.error("discord interactions endpoint failed", { error });
      if (!res.headersSent) respond(res, 500, { error: "internal error" });
    });

  /** Listens on `port` (0: any free port); resolves with the bound port. */
  async listen(port: number, host = "0.0.0.0"): Promise<number> {
    this.server.listen(port, host);
    await once(this.server, "listening");
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST" || !INTERACTIONS_PATHS.includes(new URL(req.url ?? "/", "http://x").pathname)) {
      respond(res, 404, { error: `POST Discord interactions to ${INTERACTIONS_PATH}` });
      return;
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    const signature = header(req, "x-signature-ed25519");
    const timestamp = header(req, "x-signature-timestamp");
    if (body === null || !verifySignature(this.key, signature, timestamp, body)) {
      respond(res, 401, { error: "invalid request signature" });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      await this.refuse(unreadableBody(), res);
      return;
    }
    const parsed = parseInteraction(json);
    if (parsed.kind === "invalid") {
      await this.refuse(parsed.problem, res);
      return;
    }
    if (parsed.kind === "ping") {
      respond(res, 200, { type: InteractionResponseType.Pong });
      return;
    }
    if (parsed.kind === "unsupported") {
      respond(res, 200, message(`baton cannot answer this: ${parsed.reason}.`));
      return;
    }
    await this.acknowledge(parsed.interaction, res);
  }

  /**
   * A signed interaction baton cannot read: audited as `invalid`; answered with its one sentence
   * when it carries an id and token to answer, with 400 otherwise.
   */
  private async refuse(problem: InteractionProblem, res: ServerResponse): Promise<void> {
    const { id, token } = problem.salvage;
    if (id && token) {
      await this.deps.handler.refuse(problem, async (ack) => respond(res, 200, ack));
      return;
    }
    await this.deps.handler.refuse(problem, null);
    respond(res, 400, { error: problem.message });
  }

  /**
   * Starts the work; its first answer becomes the HTTP response, and the work goes on (edits,
   * follow-ups) only once that response is sent, so Discord knows the deferral before the edit.
   */
  private acknowledge(interaction: IncomingInteraction, res: ServerResponse): Promise<void> {
    return new Promise((answered) => {
      const send = (ack: InteractionAck) =>
        new Promise<void>((sent) => {
          timer.cancel();
          // Too late: the time-out answer went out; this interaction can no longer be deferred.
          if (res.headersSent) return sent();
          res.once("finish", () => sent());
          res.once("close", () => sent());
          respond(res, 200, ack);
          answered();
        });
      const timer = this.deps.clock.setTimeout(
        () => void send(message("baton could not answer in time; try again.")),
        ACK_DEADLINE_MS,
      );
      void this.deps.handler.handleInteraction(interaction, send);
    });
  }
}

function message(text: string): InteractionAck {
  return {
    type: InteractionResponseType.ChannelMessageWithSource,
    data: { embeds: [{ description: text }], flags: MessageFlags.Ephemeral, allowed_mentions: { parse: [] } },
  };
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return typeof value === "string" ? value : "";
}

function respond(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
