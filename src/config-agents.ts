import { z } from "zod";
import { bounded } from "./config-numbers.js";

/** The agents and budgets part of the environment; src/config.ts merges it and stays the only reader. */

export const AgentsEnvShape = {
  BATON_SPECIALTIES_FILE: z.string().min(1).optional(),
  BATON_AGENT_POOL_SIZE: bounded(50, 1, 10_000),
  BATON_AGENT_IDLE_HOURS: bounded(24, 0.001, 24 * 365),
  BATON_AGENT_MAX_TURNS: bounded(8, 1, 50),
  BATON_BUDGET_OUTPUT_TOKENS: bounded(1024, 1, 64_000),
};

const AgentsEnvObject = z.object(AgentsEnvShape);
type AgentsEnv = z.output<typeof AgentsEnvObject>;

export interface AgentsConfig {
  /** A team's specialties YAML, layered over the shipped agents/specialties.yaml. */
  specialtiesFile: string | null;
  poolSize: number;
  idleMs: number;
  maxTurns: number;
  /** Output tokens assumed when a call's cost is estimated and reserved before it is made. */
  estimateOutputTokens: number;
}

export function buildAgentsConfig(env: AgentsEnv): AgentsConfig {
  return {
    specialtiesFile: env.BATON_SPECIALTIES_FILE ?? null,
    poolSize: Math.floor(env.BATON_AGENT_POOL_SIZE),
    idleMs: Math.round(env.BATON_AGENT_IDLE_HOURS * 3_600_000),
    maxTurns: Math.floor(env.BATON_AGENT_MAX_TURNS),
    estimateOutputTokens: Math.floor(env.BATON_BUDGET_OUTPUT_TOKENS),
  };
}
