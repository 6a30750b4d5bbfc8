import { existsSync } from "node:fs";
import { z } from "zod";
import { bounded } from "./config-numbers.js";

/** The scheduler's part of the environment schema; src/config.ts merges it and is still the only reader. */

const whole = (fallback: number, min: number, max: number) => bounded(fallback, min, max, { whole: true });

export const SchedulerEnvShape = {
  BATON_SCHEDULES_FILE: z.string().min(1).optional(),
  BATON_CONTINUOUS_DELAY_MS: whole(60_000, 1000, 86_400_000),
  BATON_STEP_MAX_ACTIONS: whole(10, 0, 1000),
  BATON_DIGEST_RETRIES: whole(4, 1, 10),
  BATON_DIGEST_RETRY_MS: whole(2000, 1, 600_000),
  BATON_SCHEDULE_MIN_INTERVAL_S: whole(60, 1, 86_400),
};

const SchedulerEnvObject = z.object(SchedulerEnvShape);
type SchedulerEnv = z.output<typeof SchedulerEnvObject>;

export interface SchedulerConfig {
  /** YAML file of schedules seeded on start; null when unset and ./schedules.yaml does not exist. */
  schedulesFile: string | null;
  /** In continuous mode, the pause between orchestrator steps. */
  continuousDelayMs: number;
  /** The most actions one orchestrator step may take. */
  stepMaxActions: number;
  /** Attempts to post one digest before it is recorded as undelivered. */
  digestRetries: number;
  /** The first wait between digest attempts; it doubles after each failure. */
  digestRetryMs: number;
  /** The closest two fires of one schedule may be; a cron that fires faster is refused, a stored one held back. */
  minIntervalS: number;
}

export function buildSchedulerConfig(env: SchedulerEnv): SchedulerConfig {
  const fallback = existsSync("./schedules.yaml") ? "./schedules.yaml" : null;
  return {
    schedulesFile: env.BATON_SCHEDULES_FILE ?? fallback,
    continuousDelayMs: env.BATON_CONTINUOUS_DELAY_MS,
    stepMaxActions: env.BATON_STEP_MAX_ACTIONS,
    digestRetries: env.BATON_DIGEST_RETRIES,
    digestRetryMs: env.BATON_DIGEST_RETRY_MS,
    minIntervalS: env.BATON_SCHEDULE_MIN_INTERVAL_S,
  };
}

/** The defaults, for code paths that build an orchestrator without a Config (benchmarks). */
export const DEFAULT_SCHEDULER_CONFIG: SchedulerConfig = {
  schedulesFile: null,
  continuousDelayMs: 60_000,
  stepMaxActions: 10,
  digestRetries: 4,
  digestRetryMs: 2000,
  minIntervalS: 60,
};
