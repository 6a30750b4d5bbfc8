import { DataTypes } from "sequelize";
import { type MigrationParams, Umzug, type UmzugStorage } from "umzug";
import type { Logger } from "../logger.js";
import type { Database } from "./database.js";
import { META_TABLE, MIGRATIONS, type MigrationContext } from "./migration-list.js";

export { MIGRATION_NAMES, type MigrationContext } from "./migration-list.js";

/** Any constant works; it names baton's migration lock among PostgreSQL advisory locks. */
const MIGRATION_LOCK = 0x0ba70;

/** Umzug storage on a plain table, created with createTable: the app never calls sync(). */
class MigrationTable implements UmzugStorage<MigrationContext> {
  async logMigration({ name, context }: MigrationParams<MigrationContext>): Promise<void> {
    await ensureTable(context);
    await context.qi.bulkInsert(META_TABLE, [{ name, run_at: new Date() }], { transaction: context.transaction });
  }

  async unlogMigration({ name, context }: MigrationParams<MigrationContext>): Promise<void> {
    await context.qi.bulkDelete(META_TABLE, { name }, { transaction: context.transaction });
  }

  async executed({ context }: Pick<MigrationParams<MigrationContext>, "context">): Promise<string[]> {
    await ensureTable(context);
    const rows = await context.qi.select(null, META_TABLE, { transaction: context.transaction });
    return (rows as Array<{ name: string }>).map((row) => row.name).sort();
  }
}

async function ensureTable({ qi, transaction }: MigrationContext): Promise<void> {
  const tables = (await qi.showAllTables({ transaction })).map(String);
  if (tables.includes(META_TABLE)) return;
  await qi.createTable(
    META_TABLE,
    { name: { type: DataTypes.STRING(255), primaryKey: true }, run_at: { type: DataTypes.DATE, allowNull: false } },
    { transaction },
  );
}

function createMigrator(context: MigrationContext, logger: Logger): Umzug<MigrationContext> {
  return new Umzug<MigrationContext>({
    migrations: MIGRATIONS.map((m) => ({ name: m.name, up: m.up, down: m.down })),
    context,
    storage: new MigrationTable(),
    logger: {
      info: (event) => logger.info("migration", event),
      warn: (event) => logger.warn("migration", event),
      error: (event) => logger.error("migration", event),
      debug: (event) => logger.debug("migration", event),
    },
  });
}

/**
 * Runs `work` with a migrator inside one transaction that holds the migration lock, so replicas
 * starting together take turns (the second finds nothing pending) and a failed migration leaves no
 * half-built schema. SQLite: the IMMEDIATE transaction is the lock. PostgreSQL: an advisory lock
 * for the transaction; DDL is transactional on both.
 */
export function withMigrator<T>(
  database: Database,
  logger: Logger,
  work: (migrator: Umzug<MigrationContext>) => Promise<T>,
): Promise<T> {
  return database.writes.run(async (transaction) => {
    if (database.dialect === "postgres") {
      await database.sequelize.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`, { transaction });
    }
    const context = { qi: database.sequelize.getQueryInterface(), transaction };
    return work(createMigrator(context, logger));
  });
}

/** Applies pending migrations; returns the names it ran. */
export async function migrateToLatest(database: Database, logger: Logger): Promise<string[]> {
  const ran = await withMigrator(database, logger, (migrator) => migrator.up());
  return ran.map((migration) => migration.name);
}

/** Names of the migrations already applied. */
export function appliedMigrations(database: Database, logger: Logger): Promise<string[]> {
  return withMigrator(database, logger, async (migrator) => (await migrator.executed()).map((m) => m.name));
}
