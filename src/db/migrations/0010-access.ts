import { DataTypes } from "sequelize";
import type { MigrationContext } from "../migrate.js";

/**
 * Permissions and one identity across platforms (README "Permissions"):
 * - `access_grants`: a role given to a person's account or a platform group, everywhere, in one
 *   channel or for one workflow. `scope_key` (`channel|workflow`) makes a grant unique even though
 *   NULLs are never equal in a unique index.
 * - `identity_links`: which person (an account key) each linked account belongs to.
 * - `link_codes`: one-time codes for linking, stored as hashes, single use, with their expiry.
 */
export const name = "0010-access";

export async function up({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  await qi.createTable(
    "access_grants",
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      subject_kind: { type: DataTypes.STRING(16), allowNull: false },
      subject: { type: DataTypes.STRING(200), allowNull: false },
      role: { type: DataTypes.STRING(64), allowNull: false },
      channel: { type: DataTypes.STRING(128), allowNull: true },
      workflow: { type: DataTypes.STRING(100), allowNull: true },
      scope_key: { type: DataTypes.STRING(240), allowNull: false },
      granted_by: { type: DataTypes.STRING(200), allowNull: false },
      granted_at: { type: DataTypes.DATE, allowNull: false },
    },
    { transaction },
  );
  await qi.addIndex("access_grants", ["subject_kind", "subject", "role", "scope_key"], {
    transaction,
    unique: true,
    name: "access_grants_unique",
  });
  await qi.createTable(
    "identity_links",
    {
      account: { type: DataTypes.STRING(200), primaryKey: true },
      person: { type: DataTypes.STRING(200), allowNull: false },
      linked_at: { type: DataTypes.DATE, allowNull: false },
    },
    { transaction },
  );
  await qi.addIndex("identity_links", ["person"], { transaction, name: "identity_links_person" });
  await qi.createTable(
    "link_codes",
    {
      code_hash: { type: DataTypes.STRING(64), primaryKey: true },
      account: { type: DataTypes.STRING(200), allowNull: false },
      expires_at: { type: DataTypes.DATE, allowNull: false },
      used_at: { type: DataTypes.DATE, allowNull: true },
    },
    { transaction },
  );
}

export async function down({ context: { qi, transaction } }: { context: MigrationContext }): Promise<void> {
  await qi.dropTable("link_codes", { transaction });
  await qi.removeIndex("identity_links", "identity_links_person", { transaction });
  await qi.dropTable("identity_links", { transaction });
  await qi.removeIndex("access_grants", "access_grants_unique", { transaction });
  await qi.dropTable("access_grants", { transaction });
}
