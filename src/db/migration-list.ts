import { type QueryInterface, QueryTypes, type Sequelize, type Transaction } from "sequelize";
import * as initial from "./migrations/0001-initial.js";
import * as llmCalls from "./migrations/0002-llm-calls.js";
import * as waitingFor from "./migrations/0003-execution-waiting-for.js";
import * as slackMessages from "./migrations/0004-slack-messages.js";
import * as schedules from "./migrations/0006-schedules.js";
import * as agentsBudgetsEvents from "./migrations/0007-agents-budgets-events.js";
import * as auditLeases from "./migrations/0008-audit-leases-run-routes.js";
import * as auditChain from "./migrations/0009-audit-chain.js";
import * as access from "./migrations/0010-access.js";
import * as apiTokens from "./migrations/0011-api-tokens.js";

/** What each migration receives: the query interface and the transaction every statement joins. */
export interface MigrationContext {
  qi: QueryInterface;
  transaction: Transaction;
}

export type Migration = {
  name: string;
  up(params: { context: MigrationContext }): Promise<void>;
  down(params: { context: MigrationContext }): Promise<void>;
};

/** In order. Listed explicitly so the same code runs from src/ (tsx) and dist/ (node). */
export const MIGRATIONS: Migration[] = [
  initial,
  llmCalls,
  waitingFor,
  slackMessages,
  schedules,
  agentsBudgetsEvents,
  auditLeases,
  auditChain,
  access,
  apiTokens,
];

/** Every migration baton ships, in order. */
export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map((m) => m.name);

export const META_TABLE = "baton_migrations";

/**
 * Whether every shipped migration is recorded, by one read and without the migrator (umzug) or its
 * lock: the common start-up loads neither. A missing table or any unrecorded name means "migrate".
 */
export async function migrationsCurrent(sequelize: Sequelize): Promise<boolean> {
  try {
    const rows = await sequelize.query<{ name: string }>(`SELECT name FROM ${META_TABLE}`, { type: QueryTypes.SELECT });
    const applied = new Set(rows.map((row) => row.name));
    return MIGRATION_NAMES.every((name) => applied.has(name));
  } catch {
    return false;
  }
}
