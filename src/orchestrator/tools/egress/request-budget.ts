import { BatonError } from "../../../errors.js";
import { shownUrl } from "./egress-target.js";

/** How many runs' counts are remembered; the oldest is forgotten first (a finished run sends nothing more). */
const REMEMBERED_RUNS = 1000;

/** One run's allowance of HTTP requests; every request and every redirect hop takes one. */
export interface RequestBudget {
  take(method: string, url: URL): void;
}

/**
 * Requests per run (execution), in this process: a workflow that loops or maps over a list cannot
 * turn baton into a request cannon. A call without a run id (a replay, a test) gets its own budget.
 */
export class RequestBudgets {
  private readonly used = new Map<string, number>();

  constructor(readonly perRun: number) {}

  for(runId: string | undefined): RequestBudget {
    let standalone = 0;
    return {
      take: (method, url) => {
        const count = (runId === undefined ? standalone : (this.used.get(runId) ?? 0)) + 1;
        if (count > this.perRun) {
          throw new BatonError(
            "denied",
            `baton sends at most ${this.perRun} HTTP requests per run (BATON_HTTP_MAX_REQUESTS_PER_RUN), so ${method} ${shownUrl(url)} was not sent.`,
          );
        }
        if (runId === undefined) standalone = count;
        else this.remember(runId, count);
      },
    };
  }

  private remember(runId: string, count: number): void {
    this.used.delete(runId);
    this.used.set(runId, count);
    if (this.used.size <= REMEMBERED_RUNS) return;
    const oldest = this.used.keys().next().value;
    if (oldest !== undefined) this.used.delete(oldest);
  }
}
