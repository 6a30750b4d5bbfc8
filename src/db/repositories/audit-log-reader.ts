import { Op, type WhereOptions } from "sequelize";
import type { ChainedColumns } from "../audit-hash.js";
import type { Database } from "../database.js";

/** An audit row as stored, with its chain columns (what `baton audit verify` and `export` read). */
export type StoredAuditRow = ChainedColumns & {
  id: number;
  seq: number | null;
  prev_hash: string | null;
  hash: string | null;
};

/** Reads the audit log page by page (keyset pagination), so a long log never sits in memory at once. */
export class AuditLogReader {
  constructor(
    private readonly db: Database,
    private readonly pageSize = 500,
  ) {}

  /** Chained rows in chain order. */
  async *chained(): AsyncGenerator<StoredAuditRow> {
    let afterSeq = 0;
    for (;;) {
      const page = await this.page({ seq: { [Op.gt]: afterSeq } }, "seq");
      yield* page;
      const last = page.at(-1);
      if (!last || page.length < this.pageSize) return;
      afterSeq = Number(last.seq);
    }
  }

  /** Rows created in [since, until), oldest first; either bound may be left open. */
  async *between(since: Date | null, until: Date | null): AsyncGenerator<StoredAuditRow> {
    const created = {
      ...(since && { [Op.gte]: since }),
      ...(until && { [Op.lt]: until }),
    };
    let afterId = 0;
    for (;;) {
      const where: WhereOptions = {
        id: { [Op.gt]: afterId },
        ...((since || until) && { created_at: created }),
      };
      const page = await this.page(where, "id");
      yield* page;
      const last = page.at(-1);
      if (!last || page.length < this.pageSize) return;
      afterId = last.id;
    }
  }

  /** Rows still open: not chained yet. */
  pendingCount(): Promise<number> {
    return this.db.models.AuditEntry.count({ where: { outcome: "pending" } });
  }

  private async page(where: WhereOptions, order: "seq" | "id"): Promise<StoredAuditRow[]> {
    const rows = await this.db.models.AuditEntry.findAll({ where, order: [[order, "ASC"]], limit: this.pageSize });
    return rows.map((row) => {
      const plain = row.get({ plain: true });
      return { ...plain, id: Number(plain.id), seq: plain.seq === null ? null : Number(plain.seq) };
    });
  }
}
