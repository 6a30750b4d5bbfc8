import type { Clock } from "../../clock.js";
import type { CommandType } from "../../commands/command-schemas.js";
import type { RequestContext } from "../../commands/context.js";
import type { Logger } from "../../logger.js";
import type { Result } from "../../orchestrator/results.js";
import type { RenderTime } from "../format.js";
import type { AccessPolicy, CommandRunner } from "../ports.js";
import { renderResult } from "../render.js";
import { decisionButtons, executionLine } from "../render-execution.js";
import type { ReplyBlock } from "../reply.js";
import { renderBlock, type SlackBlock } from "./block-kit.js";
import { PLATFORM } from "./slack-requests.js";
import type { SlackWriter } from "./slack-writer.js";

/** A home view holds at most 100 blocks. */
const MAX_VIEW_BLOCKS = 100;

type StatusResult = Extract<Result, { type: "status" }>;
type ListResult = Extract<Result, { type: "execution.list" }>;
type SchedulesResult = Extract<Result, { type: "schedule.list" }>;

/**
 * The App Home view (pure): status, then every waiting execution — with its Approve/Reject
 * buttons for a person who may decide — then recent runs, then the schedules (next and last fire
 * of each). Buttons are the same as in messages, so a click from Home goes the same way (policy
 * and approvers checked again by the dispatcher).
 */
export function homeView(
  status: StatusResult,
  recent: ListResult,
  schedules: SchedulesResult | null,
  time: RenderTime,
  permitted: ReadonlySet<CommandType>,
): SlackBlock[] {
  const blocks: ReplyBlock[] = [...renderResult(status, time).blocks];
  const { waiting } = status.status;
  if (waiting.length > 0) {
    blocks.push({ type: "divider" }, { type: "header", text: "Waiting for a person" });
    for (const execution of waiting.slice(0, 15)) {
      blocks.push({ type: "section", text: executionLine(execution, time) });
      const buttons = permitted.has("execution.approve") ? decisionButtons(execution) : undefined;
      if (buttons) blocks.push(buttons);
    }
  }
  blocks.push({ type: "divider" }, ...renderResult(recent, time).blocks);
  if (schedules) blocks.push({ type: "divider" }, ...renderResult(schedules, time).blocks);
  blocks.push({ type: "context", text: "Type `/orchestrate help` in any channel, or mention baton in a thread." });
  const rendered = blocks.flatMap(renderBlock);
  return rendered.slice(0, MAX_VIEW_BLOCKS);
}

export interface HomeTabDeps {
  orchestrator: Pick<CommandRunner, "handle">;
  writer: SlackWriter;
  clock: Clock;
  timeZone: string;
  logger: Logger;
  /** What this person may run: Home shows buttons and lists only for them (README "Permissions"). */
  access: Pick<AccessPolicy, "identify" | "permitted">;
}

/** Publishes the home tab (views.publish) when a person opens it, and after a click from it. */
export class HomeTab {
  constructor(private readonly deps: HomeTabDeps) {}

  async publish(user: string): Promise<void> {
    try {
      const who = await this.deps.access.identify({ id: user, name: user, platform: PLATFORM });
      // Home is nobody's channel: what the person may run everywhere.
      const permitted = await this.deps.access.permitted(who, { channel: null });
      const context: RequestContext = {
        actor: who.actor,
        origin: { platform: PLATFORM, workspace: null, channel: null, thread: null },
        permission: { permitted, ownRunsOnly: false, roles: [] },
      };
      // Through orchestrator.handle, like every front-end (DESIGN.md): read commands, each only when permitted.
      if (!permitted.has("status") || !permitted.has("execution.list")) return;
      const status = await this.deps.orchestrator.handle({ type: "status" }, context);
      const recent = await this.deps.orchestrator.handle({ type: "execution.list", limit: 10 }, context);
      const schedules = permitted.has("schedule.list")
        ? await this.deps.orchestrator.handle({ type: "schedule.list" }, context)
        : null;
      if (status.type !== "status" || recent.type !== "execution.list") return;
      const time = { now: this.deps.clock.now(), timeZone: this.deps.timeZone };
      const listed = schedules?.type === "schedule.list" ? schedules : null;
      await this.deps.writer.publishHome(user, homeView(status, recent, listed, time, permitted));
    } catch (error) {
      this.deps.logger.error("could not publish the slack home tab", { user, error });
    }
  }
}
