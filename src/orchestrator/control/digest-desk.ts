import { randomBytes } from "node:crypto";
import type { Clock } from "../../clock.js";
import type { CommandOf } from "../../commands/commands.js";
import type { RequestContext } from "../../commands/context.js";
import type { DigestRepository } from "../../db/repositories/digest-repository.js";
import type { ExecutionRepository } from "../../db/repositories/execution-repository.js";
import type { OrchestratorRunRepository } from "../../db/repositories/orchestrator-run-repository.js";
import type { ScheduleRecord, ScheduleRepository } from "../../db/repositories/schedule-repository.js";
import { BatonError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { composeDigest, periodLength } from "../digest/compose-digest.js";
import { deliverDigest } from "../digest/deliver-digest.js";
import type { Digest, DigestDelivery } from "../digest/digest.js";
import type { Insights } from "../digest/insights.js";
import { channelId } from "./channels.js";
import type { ControlResult } from "./control-results.js";

export interface DigestDeskDeps {
  digests: DigestRepository;
  executions: ExecutionRepository;
  schedules: ScheduleRepository;
  runs: OrchestratorRunRepository;
  insights: Insights | null;
  delivery: DigestDelivery | null;
  clock: Clock;
  logger: Logger;
  timeZone: string;
  attempts: number;
  backoffMs: number;
}

/** Composes digests and delivers them: on request (`digest [#channel]`) and on schedule. */
export class DigestDesk {
  constructor(private readonly deps: DigestDeskDeps) {}

  compose(lengthMs: number): Promise<Digest> {
    const now = this.deps.clock.now();
    const period = { start: new Date(now.getTime() - lengthMs), end: now };
    return composeDigest(this.deps, { period, now, timeZone: this.deps.timeZone });
  }

  /** `digest`: the digest is the reply; `digest #channel`: it is posted there too, verified. */
  async onRequest(command: CommandOf<"digest">, context: RequestContext): Promise<ControlResult> {
    const digest = await this.compose(periodLength(undefined));
    if (!command.channel) return { type: "digest", digest, delivery: null };
    const key = `digest:request:${context.auditId ?? randomBytes(6).toString("hex")}`;
    const delivery = await deliverDigest(this.deliverDeps(), digest, {
      platform: context.origin.platform,
      channel: channelId(command.channel),
      requestedBy: `${context.actor.platform}:${context.actor.id}`,
      idempotencyKey: key,
    });
    return { type: "digest", digest, delivery };
  }

  /** A schedule's digest; the key is the schedule and fire time, so a fire never posts twice. */
  async scheduled(schedule: ScheduleRecord, fireTime: Date): Promise<string> {
    if (!schedule.channel)
      throw new BatonError("invalid_command", `Schedule ${schedule.id} has no channel to post to.`);
    const digest = await this.compose(periodLength(schedule.input.period));
    const report = await deliverDigest(this.deliverDeps(), digest, {
      platform: schedule.platform,
      channel: schedule.channel,
      requestedBy: `schedule:${schedule.id}`,
      idempotencyKey: `digest:${schedule.id}:${fireTime.toISOString()}`,
    });
    const where = `${schedule.platform} #${schedule.channel}`;
    if (report.status === "failed") {
      throw new BatonError(
        "unavailable",
        `The digest for ${where} could not be delivered after ${report.attempts} attempt(s): ${report.error ?? "unknown error"}`,
      );
    }
    return report.status === "duplicate"
      ? `digest for ${where} had already been handled under ${report.idempotencyKey}`
      : `digest delivered to ${where} as message ${report.messageId ?? "?"} (attempt ${report.attempts})`;
  }

  private deliverDeps() {
    return {
      digests: this.deps.digests,
      delivery: this.deps.delivery,
      clock: this.deps.clock,
      logger: this.deps.logger,
      attempts: this.deps.attempts,
      backoffMs: this.deps.backoffMs,
    };
  }
}
