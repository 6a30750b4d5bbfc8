import { literal, Op } from "sequelize";
import type { Database } from "../database.js";
import type { BudgetRow } from "../models-agents.js";

export const BUDGET_LIMITS = ["max_agents", "max_concurrent_runs", "max_daily_cost_usd", "max_tokens_per_run"] as const;
export type BudgetLimit = (typeof BUDGET_LIMITS)[number];
export type BudgetLimits = Partial<Record<BudgetLimit, number>>;

export interface BudgetRecord {
  scope: string;
  limits: BudgetLimits;
  updatedBy: string | null;
  updatedAt: Date;
}

export interface ScopeUsage {
  scope: string;
  reservedUsd: number;
  spentUsd: number;
}

/** One scope's share of a reservation: `limitUsd` null means record, never refuse. */
export interface ScopeCharge {
  scope: string;
  limitUsd: number | null;
}

/**
 * Budgets and their daily usage. A reservation is one conditional UPDATE per scope
 * (`spent + reserved + amount <= limit`), all inside one transaction through the writer queue, so
 * concurrent calls can never reserve past a limit: the database decides, not a read-then-write.
 */
const SNAPSHOT_MS = 1000;

export class BudgetRepository {
  /**
   * The budgets table (a handful of rows) as last read, for up to SNAPSHOT_MS: every run and every
   * LLM call looks its limits up. A change made here clears it at once; one made by another replica
   * shows within SNAPSHOT_MS. Reservations themselves are always decided by the database.
   */
  private snapshot: { readAt: number; rows: Promise<BudgetRecord[]> } | null = null;

  constructor(private readonly db: Database) {}

  async set(scope: string, limits: BudgetLimits, by: string | null, at: Date): Promise<BudgetRecord> {
    const existing = await this.get(scope);
    const merged = { ...existing?.limits, ...limits };
    const values = Object.fromEntries(BUDGET_LIMITS.map((key) => [key, merged[key] ?? null]));
    await this.db.models.Budget.upsert({ scope, ...values, updated_by: by, updated_at: at });
    this.snapshot = null;
    return { scope, limits: merged, updatedBy: by, updatedAt: at };
  }

  async get(scope: string): Promise<BudgetRecord | null> {
    const row = await this.db.models.Budget.findByPk(scope);
    return row ? toRecord(row) : null;
  }

  /** Every run and every LLM call checks its scopes: served from the snapshot. */
  async forScopes(scopes: readonly string[]): Promise<BudgetRecord[]> {
    if (scopes.length === 0) return [];
    const now = Date.now();
    if (!this.snapshot || now - this.snapshot.readAt > SNAPSHOT_MS) {
      const rows = this.db.raw.all<BudgetRow>("SELECT * FROM budgets", []).then((found) => found.map(toRecord));
      this.snapshot = { readAt: now, rows };
      rows.catch(() => {
        this.snapshot = null;
      });
    }
    const wanted = new Set(scopes);
    return (await this.snapshot.rows).filter((budget) => wanted.has(budget.scope));
  }

  async all(): Promise<BudgetRecord[]> {
    const rows = await this.db.models.Budget.findAll({ order: [["scope", "ASC"]] });
    return rows.map(toRecord);
  }

  /** Reserves `amount` in every scope for `day`; returns the first scope that refused, or null. */
  async reserve(charges: readonly ScopeCharge[], day: string, amount: number): Promise<string | null> {
    const { BudgetUsage } = this.db.models;
    return this.db.writes
      .run(async (transaction) => {
        await BudgetUsage.bulkCreate(
          charges.map(({ scope }) => ({ scope, day, reserved_usd: "0", spent_usd: "0" })),
          { ignoreDuplicates: true, transaction },
        );
        for (const { scope, limitUsd } of charges) {
          const fits =
            limitUsd === null
              ? {}
              : { [Op.and]: literal(`spent_usd + reserved_usd + ${number(amount)} <= ${number(limitUsd)}`) };
          const [changed] = await BudgetUsage.update(
            { reserved_usd: literal(`reserved_usd + ${number(amount)}`) as unknown as string },
            { where: { scope, day, ...fits }, transaction },
          );
          if (changed === 0) throw new Refused(scope);
        }
        return null;
      })
      .catch((error: unknown) => {
        if (error instanceof Refused) return error.scope;
        throw error;
      });
  }

  /** Replaces a reservation with what the call actually cost. */
  async settle(scopes: readonly string[], day: string, reserved: number, actual: number): Promise<void> {
    await this.db.models.BudgetUsage.update(
      {
        reserved_usd: literal(`reserved_usd - ${number(reserved)}`) as unknown as string,
        spent_usd: literal(`spent_usd + ${number(actual)}`) as unknown as string,
      },
      { where: { scope: { [Op.in]: [...scopes] }, day } },
    );
  }

  /** Tokens the ledger recorded for one execution (max_tokens_per_run). */
  async tokensOfExecution(executionId: string): Promise<number> {
    const { fn, col } = this.db.sequelize;
    const [row] = (await this.db.models.LlmCall.findAll({
      attributes: [
        [fn("SUM", col("input_tokens")), "input"],
        [fn("SUM", col("output_tokens")), "output"],
      ],
      where: { execution_id: executionId },
      raw: true,
    })) as unknown as Array<{ input: string | number | null; output: string | number | null }>;
    return Number(row?.input ?? 0) + Number(row?.output ?? 0);
  }

  async usage(scopes: readonly string[], day: string): Promise<ScopeUsage[]> {
    const rows = await this.db.models.BudgetUsage.findAll({ where: { scope: { [Op.in]: [...scopes] }, day } });
    return rows.map((row) => ({
      scope: row.scope,
      reservedUsd: Number(row.reserved_usd),
      spentUsd: Number(row.spent_usd),
    }));
  }
}

class Refused extends Error {
  constructor(readonly scope: string) {
    super(`budget ${scope} refused the reservation`);
  }
}

/** Amounts go into SQL as plain decimals (never user text): finite, fixed to micro-dollars. */
function number(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite amount: ${value}`);
  return value.toFixed(6);
}

function toRecord(row: BudgetRow): BudgetRecord {
  const limits: BudgetLimits = {};
  for (const key of BUDGET_LIMITS) {
    const value = row[key];
    if (value !== null && value !== undefined) limits[key] = Number(value);
  }
  return { scope: row.scope, limits, updatedBy: row.updated_by, updatedAt: new Date(row.updated_at) };
}
