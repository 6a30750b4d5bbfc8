import { type Sequelize, Transaction } from "sequelize";

/**
 * Every multi-statement transaction goes through this queue (DESIGN.md "Platform facts": sqlite3
 * through Sequelize opens a new handle per transaction; two at once deadlock the libuv pool or fail
 * SQLITE_BUSY). On SQLite the queue runs one IMMEDIATE transaction at a time, so the write lock is
 * taken at BEGIN instead of failing halfway. PostgreSQL handles concurrent transactions itself.
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sequelize: Sequelize,
    private readonly serialise: boolean,
  ) {}

  run<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    const options = this.serialise ? { type: Transaction.TYPES.IMMEDIATE } : {};
    if (!this.serialise) return this.sequelize.transaction(options, work);
    const next = this.tail.then(() => this.sequelize.transaction(options, work));
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every transaction queued so far has finished. */
  async drain(): Promise<void> {
    await this.tail;
  }
}
