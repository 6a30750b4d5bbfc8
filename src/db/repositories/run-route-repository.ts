import type { Database } from "../database.js";
import { clip } from "./columns.js";

/** Where a run's remaining agent calls go, decided when a budget paused it (`approve … cheaper`). */
export interface RunRoute {
  executionId: string;
  provider: string;
  model: string | null;
  decidedBy: string | null;
  decidedAt: Date;
}

const UPSERT = `INSERT INTO execution_routes (execution_id, provider, model, decided_by, decided_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (execution_id) DO UPDATE SET provider = excluded.provider, model = excluded.model,
  decided_by = excluded.decided_by, decided_at = excluded.decided_at`;

/**
 * The decision is stored with the run (table `execution_routes`, migration 0008), so a process
 * that resumes the run after a restart keeps to it instead of pausing it and asking again.
 */
export class RunRouteRepository {
  constructor(private readonly db: Database) {}

  async choose(route: RunRoute): Promise<void> {
    await this.db.raw.run(UPSERT, [
      route.executionId,
      clip(route.provider, 64),
      clip(route.model, 128),
      clip(route.decidedBy, 128),
      route.decidedAt,
    ]);
  }

  async get(executionId: string): Promise<RunRoute | null> {
    const row = await this.db.raw.get<{
      execution_id: string;
      provider: string;
      model: string | null;
      decided_by: string | null;
      decided_at: unknown;
    }>("SELECT * FROM execution_routes WHERE execution_id = ?", [executionId]);
    if (!row) return null;
    return {
      executionId: row.execution_id,
      provider: row.provider,
      model: row.model,
      decidedBy: row.decided_by,
      decidedAt: new Date(row.decided_at instanceof Date ? row.decided_at.getTime() : String(row.decided_at)),
    };
  }
}
