import { DataTypes, type QueryInterface } from "sequelize";
import { type MigrationParams, Umzug, type UmzugStorage } from "umzug";
import type { Logger } from "../logger.js";
import type { Database } from "./database.js";
import * as initial from "./migrations/0001-initial.js";

type Migration = {
  name: string;
  up(params: { context: QueryInterface }): Promise<void>;
  down(params: { context: QueryInterface }): Promise<void>;
};

/** In order. Listed explicitly so the same code runs from src/ (tsx) and dist/ (node). */
const MIGRATIONS: Migration[] = [initial];

const META_TABLE = "baton_migrations";

/** Umzug storage on a plain table, created with createTable: the app never calls sync(). */
class MigrationTable implements UmzugStorage<QueryInterface> {
  constructor(private readonly database: Database) {}

  private async ensure(): Promise<void> {
    const qi = this.database.sequelize.getQueryInterface();
    const tables = (await qi.showAllTables()).map((t) => (typeof t === "string" ? t : String(t)));
    if (tables.includes(META_TABLE)) return;
    await qi.createTable(META_TABLE, {
      name: { type: DataTypes.STRING(255), primaryKey: true },
      run_at: { type: DataTypes.DATE, allowNull: false },
    });
  }

  async logMigration({ name }: MigrationParams<QueryInterface>): Promise<void> {
    await this.ensure();
    await this.database.sequelize.getQueryInterface().bulkInsert(META_TABLE, [{ name, run_at: new Date() }]);
  }

  async unlogMigration({ name }: MigrationParams<QueryInterface>): Promise<void> {
    await this.ensure();
    await this.database.sequelize.getQueryInterface().bulkDelete(META_TABLE, { name });
  }

  async executed(): Promise<string[]> {
    await this.ensure();
    const rows = await this.database.sequelize.getQueryInterface().select(null, META_TABLE, {});
    return (rows as Array<{ name: string }>).map((row) => row.name).sort();
  }
}

export function createMigrator(database: Database, logger: Logger): Umzug<QueryInterface> {
  return new Umzug<QueryInterface>({
    migrations: MIGRATIONS.map((m) => ({ name: m.name, up: m.up, down: m.down })),
    context: database.sequelize.getQueryInterface(),
    storage: new MigrationTable(database),
    logger: {
      info: (event) => logger.info("migration", event),
      warn: (event) => logger.warn("migration", event),
      error: (event) => logger.error("migration", event),
      debug: (event) => logger.debug("migration", event),
    },
  });
}

/** Applies pending migrations; returns the names it ran. */
export async function migrateToLatest(database: Database, logger: Logger): Promise<string[]> {
  const ran = await createMigrator(database, logger).up();
  return ran.map((migration) => migration.name);
}
