import type { Clock } from "../../clock.js";
import type { RequestContext } from "../../commands/context.js";
import type { Logger } from "../../logger.js";
import type { PatternDetector, PatternOffer, SchedulableCommand } from "./patterns.js";

/** How long an offer waits for the front-end that started its run to ask for it. */
const OFFER_KEPT_MS = 10 * 60_000;

export interface PatternOfferDeps {
  detector: PatternDetector;
  clock: Clock;
  logger: Logger;
}

/**
 * A request made for the third time in a week gets an offer to schedule it or save its inputs.
 * The check runs beside the request, off its path; the front-end asks for the offer once the
 * request settles: a run by its execution id, a digest or step request by `audit:<audit id>`.
 */
export class PatternOffers {
  private readonly offers = new Map<string, Promise<PatternOffer | null>>();

  constructor(private readonly deps: PatternOfferDeps) {}

  watch(command: SchedulableCommand, context: RequestContext, key: string, executionId: string | null): void {
    const check = this.deps.detector.observe(command, context, executionId).catch((error: unknown) => {
      this.deps.logger.warn("pattern detection failed", { error });
      return null;
    });
    this.offers.set(key, check);
    // Nobody may ask (a scheduled run): an offer is kept for a while, a non-offer not at all.
    void check.then((offer) => {
      if (!offer) this.offers.delete(key);
      else this.deps.clock.setTimeout(() => this.offers.delete(key), OFFER_KEPT_MS);
    });
  }

  /** The pattern offer for a run (by execution id) or request (`audit:<id>`), once; null when none. */
  offerFor(key: string): Promise<PatternOffer | null> | null {
    const offer = this.offers.get(key) ?? null;
    this.offers.delete(key);
    return offer;
  }
}
