import { type ChainedColumns, chainHash, GENESIS_HASH } from "../db/audit-hash.js";

/** A chained row as read back: its content, its place and the two hashes that link it. */
export interface ChainLink extends ChainedColumns {
  id: number;
  seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

export type ChainVerdict =
  | { intact: true; verified: number }
  | { intact: false; verified: number; rowId: number; problem: string };

/**
 * Walks the chain in `seq` order and recomputes every hash. The first break is named: a row whose
 * content no longer matches its hash, a row whose hash no longer matches what the next row
 * recorded for it (it was rewritten together with its hash), or a gap where rows were removed.
 */
export async function verifyChain<Row extends ChainLink>(rows: AsyncIterable<Row>): Promise<ChainVerdict> {
  let previous: Row | null = null;
  let verified = 0;
  for await (const row of rows) {
    const expectedSeq = (previous?.seq ?? 0) + 1;
    if (row.seq !== expectedSeq) {
      const missing = `${(row.seq ?? 0) - expectedSeq} audit row(s)`;
      const problem = `Audit row ${row.id} (seq ${row.seq}) follows seq ${expectedSeq - 1}: ${missing} before it were removed.`;
      return { intact: false, verified, rowId: row.id, problem };
    }
    const linkedTo = previous?.hash ?? GENESIS_HASH;
    if (row.hash !== chainHash(linkedTo, row)) {
      const selfConsistent = row.prev_hash !== null && row.hash === chainHash(row.prev_hash, row);
      if (selfConsistent && previous) {
        const problem = `Audit row ${previous.id} (seq ${previous.seq}) no longer matches the hash the next row recorded for it: it was changed after it was recorded.`;
        return { intact: false, verified: verified - 1, rowId: previous.id, problem };
      }
      const problem = `Audit row ${row.id} (seq ${row.seq}) no longer matches its hash: it was changed after it was recorded.`;
      return { intact: false, verified, rowId: row.id, problem };
    }
    verified += 1;
    previous = row;
  }
  return { intact: true, verified };
}
