import { z } from "zod";
import { bounded, millis } from "./config-numbers.js";

/** The LLM part of the environment schema; src/config.ts merges it and is still the only reader. */

export const LLM_PROVIDER_NAMES = ["anthropic", "openai", "rules"] as const;
export type LlmProviderName = (typeof LLM_PROVIDER_NAMES)[number];

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  cachedInput?: number | undefined;
  cacheWrite?: number | undefined;
}

const price = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cachedInput: z.number().nonnegative().optional(),
  cacheWrite: z.number().nonnegative().optional(),
});

const priceTable = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: 'expected JSON like {"model": {"input": 1, "output": 5}}' });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(z.string(), price, {
      message: 'expected {"<model>": {input, output, cachedInput?, cacheWrite?}} in USD per million tokens',
    }),
  );

const providerList = z
  .string()
  .transform((value) => value.split(/[,\s]+/).filter((name) => name.length > 0))
  .pipe(z.array(z.enum(LLM_PROVIDER_NAMES, { message: `expected a list of ${LLM_PROVIDER_NAMES.join(", ")}` })));

export const LlmEnvShape = {
  LLM_PROVIDERS: providerList.optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.url({ message: "expected a URL such as https://api.anthropic.com" }).optional(),
  ANTHROPIC_MODEL: z.string().min(1).default("claude-haiku-4-5"),
  ANTHROPIC_MAX_TOKENS: bounded(1024, 1, 64_000),
  ANTHROPIC_TIMEOUT_MS: millis(15_000, 1, 600_000),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url({ message: "expected a URL such as http://localhost:11434/v1" }).optional(),
  OPENAI_MODEL: z.string().min(1).default("gpt-4.1-mini"),
  OPENAI_TEMPERATURE: bounded(0, 0, 2),
  OPENAI_MAX_TOKENS: bounded(1024, 1, 64_000),
  OPENAI_TIMEOUT_MS: millis(15_000, 1, 600_000),
  LLM_DEADLINE_MS: millis(20_000, 1, 600_000),
  LLM_MAX_RETRY_WAIT_MS: bounded(2000, 0, 60_000),
  LLM_COOLDOWN_FAILURES: bounded(3, 1, 100),
  LLM_COOLDOWN_MS: millis(60_000, 1, 600_000),
  LLM_FAST_PATH_CONFIDENCE: bounded(0.8, 0, 1),
  LLM_THREAD_TURNS: bounded(10, 0, 50),
  LLM_PRICES: priceTable.optional(),
};

const LlmEnvObject = z.object(LlmEnvShape);
type LlmEnv = z.output<typeof LlmEnvObject>;

/** One provider's settings: read from the environment here, handed as is to its provider (src/llm/providers). */
export interface ProviderSettings {
  apiKey: string;
  baseUrl?: string;
  model: string;
  temperature: number;
  maxTokens: number;
  timeoutMs: number;
}

export interface LlmConfig {
  /** In fallback order; always ends with `rules`. */
  providers: LlmProviderName[];
  anthropic: ProviderSettings | null;
  openai: ProviderSettings | null;
  deadlineMs: number;
  maxRetryWaitMs: number;
  cooldownFailures: number;
  cooldownMs: number;
  fastPathConfidence: number;
  threadTurns: number;
  /** Defaults for known models, overridden and extended by LLM_PRICES. */
  prices: Record<string, ModelPrice>;
}

/** Published list prices, USD per million tokens; LLM_PRICES overrides or adds models. */
export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  "claude-haiku-4-5": { input: 1, output: 5, cachedInput: 0.1, cacheWrite: 1.25 },
  "claude-sonnet-4-5": { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
  "claude-opus-4-1": { input: 15, output: 75, cachedInput: 1.5, cacheWrite: 18.75 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6, cachedInput: 0.1 },
  "gpt-4.1": { input: 2, output: 8, cachedInput: 0.5 },
  "gpt-4o-mini": { input: 0.15, output: 0.6, cachedInput: 0.075 },
};

function provider(
  key: string | undefined,
  baseUrl: string | undefined,
  settings: Omit<ProviderSettings, "apiKey" | "baseUrl">,
  keyOptional: boolean,
): ProviderSettings | null {
  if (!key && !keyOptional) return null;
  return { apiKey: key ?? "not-needed", ...(baseUrl !== undefined && { baseUrl }), ...settings };
}

/** Problems that need more than one variable to see, e.g. a provider listed without its key. */
export function llmProblems(env: LlmEnv): string[] {
  const listed = env.LLM_PROVIDERS ?? [];
  const problems: string[] = [];
  if (listed.includes("anthropic") && !env.ANTHROPIC_API_KEY) {
    problems.push("LLM_PROVIDERS: lists anthropic, which needs ANTHROPIC_API_KEY");
  }
  if (listed.includes("openai") && !env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) {
    problems.push("LLM_PROVIDERS: lists openai, which needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)");
  }
  return problems;
}

export function buildLlmConfig(env: LlmEnv): LlmConfig {
  // A local OpenAI-compatible server usually needs no key: OPENAI_BASE_URL alone enables openai.
  const anthropic = provider(
    env.ANTHROPIC_API_KEY,
    env.ANTHROPIC_BASE_URL,
    {
      model: env.ANTHROPIC_MODEL,
      // The Messages API version the SDK speaks rejects `temperature`; the provider does not send it.
      temperature: 0,
      maxTokens: env.ANTHROPIC_MAX_TOKENS,
      timeoutMs: env.ANTHROPIC_TIMEOUT_MS,
    },
    false,
  );
  const openai = provider(
    env.OPENAI_API_KEY,
    env.OPENAI_BASE_URL,
    {
      model: env.OPENAI_MODEL,
      temperature: env.OPENAI_TEMPERATURE,
      maxTokens: env.OPENAI_MAX_TOKENS,
      timeoutMs: env.OPENAI_TIMEOUT_MS,
    },
    env.OPENAI_BASE_URL !== undefined,
  );
  const configured: LlmProviderName[] = [
    ...(anthropic ? ["anthropic" as const] : []),
    ...(openai ? ["openai" as const] : []),
  ];
  const chosen = env.LLM_PROVIDERS ?? configured;
  return {
    providers: [...new Set<LlmProviderName>([...chosen, "rules"])],
    anthropic,
    openai,
    deadlineMs: env.LLM_DEADLINE_MS,
    maxRetryWaitMs: env.LLM_MAX_RETRY_WAIT_MS,
    cooldownFailures: env.LLM_COOLDOWN_FAILURES,
    cooldownMs: env.LLM_COOLDOWN_MS,
    fastPathConfidence: env.LLM_FAST_PATH_CONFIDENCE,
    threadTurns: env.LLM_THREAD_TURNS,
    prices: { ...DEFAULT_PRICES, ...(env.LLM_PRICES ?? {}) },
  };
}
