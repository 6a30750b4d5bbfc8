/** Injected wherever time matters, so tests can use a fake (CONVENTIONS.md). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
