import { Op } from "sequelize";
import type { LlmCallRecord, UsageLedger } from "../../llm/usage.js";
import { redactSecrets } from "../../redact.js";
import type { Database } from "../database.js";
import { clip } from "./columns.js";

export interface SpendSummary {
  calls: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

/** The usage and cost ledger: one autocommit insert per LLM call. */
export class LlmCallRepository implements UsageLedger {
  constructor(private readonly db: Database) {}

  async record(call: LlmCallRecord): Promise<void> {
    await this.db.models.LlmCall.create({
      created_at: call.at,
      provider: clip(call.provider, 32),
      model: clip(call.model, 128),
      purpose: call.purpose,
      input_tokens: call.usage.inputTokens,
      output_tokens: call.usage.outputTokens,
      cached_input_tokens: call.usage.cachedInputTokens,
      cache_write_tokens: call.usage.cacheWriteTokens,
      cost_usd: call.costUsd === null ? null : call.costUsd.toFixed(6),
      latency_ms: Math.round(call.latencyMs),
      outcome: call.outcome,
      error_code: call.errorCode === null ? null : clip(redactSecrets(call.errorCode), 64),
      audit_id: call.auditId,
      execution_id: call.executionId,
      agent_id: call.agentId,
      actor_id: clip(call.actorId, 128),
    });
  }

  async forAudit(auditId: number): Promise<LlmCallRecord[]> {
    const rows = await this.db.models.LlmCall.findAll({ where: { audit_id: auditId }, order: [["id", "ASC"]] });
    return rows.map((row) => ({
      at: new Date(row.created_at),
      provider: row.provider,
      model: row.model,
      purpose: row.purpose as LlmCallRecord["purpose"],
      usage: {
        inputTokens: row.input_tokens,
        outputTokens: row.output_tokens,
        cachedInputTokens: row.cached_input_tokens,
        cacheWriteTokens: row.cache_write_tokens,
      },
      costUsd: row.cost_usd === null ? null : Number(row.cost_usd),
      latencyMs: row.latency_ms,
      outcome: row.outcome as LlmCallRecord["outcome"],
      errorCode: row.error_code,
      auditId: row.audit_id === null ? null : Number(row.audit_id),
      executionId: row.execution_id,
      agentId: row.agent_id,
      actorId: row.actor_id,
    }));
  }

  /** Totals since a moment (status: today's spend). */
  async spendSince(since: Date): Promise<SpendSummary> {
    const { fn, col } = this.db.sequelize;
    const [row] = (await this.db.models.LlmCall.findAll({
      attributes: [
        [fn("COUNT", col("id")), "calls"],
        [fn("SUM", col("cost_usd")), "cost"],
        [fn("SUM", col("input_tokens")), "input"],
        [fn("SUM", col("output_tokens")), "output"],
        [fn("SUM", col("cached_input_tokens")), "cached"],
      ],
      where: { created_at: { [Op.gte]: since } },
      raw: true,
    })) as unknown as Array<Record<string, string | number | null>>;
    const n = (key: string) => Number(row?.[key] ?? 0);
    return {
      calls: n("calls"),
      costUsd: n("cost"),
      inputTokens: n("input"),
      outputTokens: n("output"),
      cachedInputTokens: n("cached"),
    };
  }
}
