import type { ExecutionRecord } from "../../db/repositories/execution-repository.js";
import type { Logger } from "../../logger.js";
import { type DeliverDeps, deliverVerified } from "../digest/deliver-digest.js";
import type { OrchestratorEventBus } from "../events.js";
import type { ExecutionDetail } from "../results.js";
import { SCHEDULER_ACTOR } from "./scheduled-actions.js";

export interface RunReportDeps {
  events: Pick<OrchestratorEventBus, "on">;
  detail: (id: string) => Promise<ExecutionDetail>;
  deliver: DeliverDeps;
  logger: Logger;
}

/** One report per state a run settles in: a run that waits twice is reported at each approval. */
function keyOf(execution: ExecutionRecord): string {
  const step = typeof execution.waitingFor?.stepId === "string" ? `:${execution.waitingFor.stepId}` : "";
  return `run:${execution.id}:${execution.status}${step}`;
}

/**
 * Runs nobody is following report to their channel (issue 15): scheduled runs, and runs this process
 * took up after the one that started them stopped (the conversation that asked is gone). When one
 * finishes or waits for a person, its report — the outcome, the approval with its buttons, or the
 * failure with its error — is posted through the digests' publishers, as a verified delivery
 * (recorded, retried, never twice). Returns the unsubscribe.
 */
export function reportScheduledRuns(deps: RunReportDeps): () => void {
  const resumed = new Set<string>();
  const report = (execution: ExecutionRecord) => {
    // Reported once: after a wait, whoever approves it follows the run in their own conversation.
    const adopted = resumed.delete(execution.id);
    if ((execution.requestedBy !== SCHEDULER_ACTOR && !adopted) || execution.channel === null) return;
    void deliver(deps, execution).catch((error: unknown) =>
      deps.logger.error("could not report a run", { execution: execution.id, error }),
    );
  };
  const stops = [
    deps.events.on("execution.resumed", (execution) => resumed.add(execution.id)),
    deps.events.on("execution.finished", report),
    deps.events.on("execution.waiting", report),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}

async function deliver(deps: RunReportDeps, execution: ExecutionRecord): Promise<void> {
  const channel = execution.channel as string;
  const detail = await deps.detail(execution.id);
  const now = deps.deliver.clock.now();
  await deliverVerified(
    deps.deliver,
    {
      what: "run report",
      period: { start: execution.createdAt, end: execution.finishedAt ?? now },
      reports: [],
      send: (delivery, options) => delivery.deliverRun(detail, { platform: execution.platform, channel }, options),
    },
    { platform: execution.platform, channel, requestedBy: `run:${execution.id}`, idempotencyKey: keyOf(execution) },
  );
}
