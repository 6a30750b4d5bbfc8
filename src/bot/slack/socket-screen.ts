import type { AnyMiddlewareArgs, Middleware } from "@slack/bolt";
import type { Clock } from "../../clock.js";
import type { Logger } from "../../logger.js";
import { checkSocketPayload, type PayloadProblem, refusalKey } from "./slack-payload.js";

/**
 * Socket Mode's counterpart of SlackFrontDoor's shape check, as global Bolt middleware: a payload
 * baton would misread (no channel_id, no trigger_id, an event without its channel) goes no
 * further. It gets its audit row `invalid`, and a slash command or click its ack, which for a
 * slash command shows the person the one sentence.
 */
export function socketScreen(deps: {
  refused: (problem: PayloadProblem, dedupeKey: string, receivedAt: Date) => Promise<void>;
  clock: Clock;
  logger: Logger;
}): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const check = checkSocketPayload(args.body);
    if (check.ok) {
      await args.next();
      return;
    }
    const { problem } = check;
    deps.logger.warn("refused a malformed slack payload", { code: problem.code, channel: problem.salvage.channel });
    await deps.refused(problem, refusalKey(problem), deps.clock.now());
    // Events are acked by Bolt already; commands and clicks wait for this one.
    if ("ack" in args && typeof args.ack === "function") {
      const isCommand = "command" in args && args.command !== undefined;
      await (args.ack as (text?: string) => Promise<void>)(isCommand ? problem.message : undefined);
    }
  };
}
