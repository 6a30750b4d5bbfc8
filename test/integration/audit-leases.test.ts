import { afterEach, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { startAgentsApp } from "../support/agents-app.js";
import { chatRequest, RecordingConversation } from "../support/app.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";
import { FakeClock } from "../support/fake-clock.js";

/**
 * Issue 12, item 5: a request killed while waiting for a confirmation stayed `pending` until a
 * process started 15 minutes later, and a long-running process never closed it. Now each open row
 * has a lease its live process renews, and any live process's periodic sweep closes lapsed ones.
 */
const LEASE_MS = 1000;
/** The audit sweeper runs three times a lease period, on the app's clock. */
const SWEEP_MS = Math.floor(LEASE_MS / 3);
let testDb: TestDatabase | null = null;
let app: App | null = null;
let other: App | null = null;

afterEach(async () => {
  await app?.close();
  await other?.close();
  app = null;
  other = null;
  await testDb?.drop();
});

async function leaseOf(live: App, id: number): Promise<Date | null> {
  const row = await live.database.models.AuditEntry.findByPk(id);
  return row?.lease_until ? new Date(row.lease_until) : null;
}

/** Moves the clock one sweep on and waits until the live process's sweep has renewed row `id`. */
async function nextSweep(clock: FakeClock, live: App, id: number): Promise<void> {
  clock.advance(SWEEP_MS);
  const renewedTo = clock.now().getTime() + LEASE_MS;
  await eventually(async () => (await leaseOf(live, id))?.getTime() === renewedTo, "the renewed lease");
}

describe.each(DATABASE_KINDS)("audit rows left open on $kind", ({ create }) => {
  it("closes a dead process's pending row as interrupted within one lease period, leaving a live confirmation open", async () => {
    testDb = await create();
    const clock = new FakeClock();
    app = await startAgentsApp({ url: testDb.url, clock, env: { BATON_LEASE_MS: String(LEASE_MS) } });
    const live = app;

    // The dead process: it opened a row (its request was waiting for a button) and never came back.
    const dead = new AuditRepository(live.database, { owner: "gone-host:4242:dead00", leaseMs: LEASE_MS, clock });
    const abandoned = await dead.open({
      at: clock.now(),
      platform: "slack",
      workspace: "T1",
      channel: "C1",
      thread: null,
      actorId: "U1",
      actorName: "lin",
      text: "/orchestrate cancel ex_1",
      dedupeKey: "slack:dead-request",
    });
    if (abandoned === "duplicate") throw new Error("unexpected duplicate");

    // This process's own request waits for its confirmation while the clock moves on.
    const conversation = new RecordingConversation("ask");
    const waiting = live.dispatcher.dispatch(chatRequest("/orchestrate pause"), conversation);
    await conversation.asked();
    const [open] = await live.rows.audit.recent({ limit: 1 });
    expect(open).toMatchObject({ commandType: null, outcome: "pending", text: "/orchestrate pause" });

    // Three sweeps find the dead row's lease still running; the fourth, past it, closes the row.
    for (let sweep = 0; sweep < 4; sweep += 1) await nextSweep(clock, live, open?.id ?? 0);
    const lapsedAt = clock.now();
    await eventually(
      async () => (await live.rows.audit.get(abandoned.id))?.outcome === "interrupted",
      "the abandoned audit row marked interrupted",
    );

    const closed = await live.rows.audit.get(abandoned.id);
    expect(closed).toMatchObject({
      outcome: "interrupted",
      errorCode: "interrupted",
      errorMessage: "baton stopped before this request finished.",
      finishedAt: lapsedAt,
    });
    const still = await live.rows.audit.get(open?.id ?? 0);
    expect(still?.outcome).toBe("pending");
    expect((await leaseOf(live, open?.id ?? 0))?.getTime()).toBe(lapsedAt.getTime() + LEASE_MS);

    conversation.decide(false);
    const outcome = await waiting;
    expect(outcome.outcome).toBe("denied");
    expect((await live.rows.audit.get(open?.id ?? 0))?.outcome).toBe("denied");
  });

  it("never lets another live process sweep a confirmation that is still waiting, however long it waits", async () => {
    testDb = await create();
    const clock = new FakeClock();
    const env = { BATON_LEASE_MS: String(LEASE_MS) };
    app = await startAgentsApp({ url: testDb.url, clock, env });
    other = await startAgentsApp({ url: testDb.url, clock, env });
    const live = app;

    const conversation = new RecordingConversation("ask");
    const waiting = live.dispatcher.dispatch(chatRequest("/orchestrate pause"), conversation);
    await conversation.asked();
    const [open] = await live.rows.audit.recent({ limit: 1 });
    const id = open?.id ?? 0;

    // Time moves on a sweep at a time, each renewing the lease as the live process lives:
    // three leases later the other replica's sweeps have still left the row alone.
    for (let sweep = 0; sweep < 10; sweep += 1) await nextSweep(clock, live, id);
    expect((await other.rows.audit.get(id))?.outcome).toBe("pending");

    conversation.decide(true);
    expect((await waiting).outcome).toBe("ok");
    expect((await other.rows.audit.get(id))?.outcome).toBe("ok");
  });
});
