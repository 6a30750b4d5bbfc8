import type { Database } from "../database.js";
import { clip, dateColumn } from "./columns.js";

/** A stored grant; the policy reads it as `Grant` (src/commands/access/grants.ts). */
export interface GrantRecord {
  id: number;
  subject: { kind: "person"; account: string } | { kind: "group"; group: string };
  role: string;
  channel: string | null;
  workflow: string | null;
  grantedBy: string;
  grantedAt: Date;
}

export type NewGrant = Omit<GrantRecord, "id">;

interface GrantRow {
  id: number | string;
  subject_kind: string;
  subject: string;
  role: string;
  channel: string | null;
  workflow: string | null;
  granted_by: string;
  granted_at: unknown;
}

const scopeKey = (grant: Pick<GrantRecord, "channel" | "workflow">) => `${grant.channel ?? ""}|${grant.workflow ?? ""}`;
const subjectText = (grant: Pick<GrantRecord, "subject">) =>
  grant.subject.kind === "person" ? grant.subject.account : grant.subject.group;

function fromRow(row: GrantRow): GrantRecord {
  return {
    id: Number(row.id),
    subject:
      row.subject_kind === "group" ? { kind: "group", group: row.subject } : { kind: "person", account: row.subject },
    role: row.role,
    channel: row.channel,
    workflow: row.workflow,
    grantedBy: row.granted_by,
    grantedAt: dateColumn(row.granted_at),
  };
}

/**
 * Grants (table `access_grants`, migration 0010). Few rows (people × scopes), read on every
 * request, so the policy keeps them cached and asks `version()` whether to reload.
 */
export class GrantRepository {
  constructor(private readonly db: Database) {}

  /** Adds the grant; false when the same subject already holds that role in that scope. */
  async add(grant: NewGrant): Promise<boolean> {
    const result = await this.db.raw.run(
      `INSERT INTO access_grants (subject_kind, subject, role, channel, workflow, scope_key, granted_by, granted_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subject_kind, subject, role, scope_key) DO NOTHING`,
      [
        grant.subject.kind,
        clip(subjectText(grant), 200),
        clip(grant.role, 64),
        clip(grant.channel, 128),
        clip(grant.workflow, 100),
        scopeKey(grant),
        clip(grant.grantedBy, 200),
        grant.grantedAt,
      ],
    );
    return result.changes > 0;
  }

  /** Removes the matching grant; false when there was none. */
  async remove(grant: Omit<NewGrant, "grantedBy" | "grantedAt">): Promise<boolean> {
    const result = await this.db.raw.run(
      "DELETE FROM access_grants WHERE subject_kind = ? AND subject = ? AND role = ? AND scope_key = ?",
      [grant.subject.kind, subjectText(grant), grant.role, scopeKey(grant)],
    );
    return result.changes > 0;
  }

  async all(): Promise<GrantRecord[]> {
    const rows = await this.db.raw.all<GrantRow>("SELECT * FROM access_grants ORDER BY id", []);
    return rows.map(fromRow);
  }
}
