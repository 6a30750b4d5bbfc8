import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { Dispatcher } from "../bot/dispatch.js";
import type { Clock } from "../clock.js";
import type { CommandType } from "../commands/commands.js";
import type { StoredEvent } from "../db/repositories/event-repository.js";
import type { Logger } from "../logger.js";
import type { Caller } from "./api-requests.js";
import { problem, sendProblem } from "./problem.js";

/** The events table, as the stream reads it (EventRepository). */
export interface EventFeed {
  after(id: number, limit: number): Promise<StoredEvent[]>;
  latestId(): Promise<number>;
}

export interface EventStreamDeps {
  feed: EventFeed;
  dispatcher: Pick<Dispatcher, "runnableHere">;
  clock: Clock;
  logger: Logger;
  /** How often the table is read for new events (the event log writes every 100 ms). */
  pollMs?: number;
}

/** Keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;
const BATCH = 500;

/**
 * What a caller must be allowed to read to see an event, by its type's family: runs and steps
 * with `execution.show`, agents with `agent.list`, budgets with `budget.show`, feedback and
 * improvements with `workflow.show` (they change workflows).
 */
const READ_NEEDED: ReadonlyArray<[prefix: string, needs: CommandType]> = [
  ["execution.", "execution.show"],
  ["step.", "execution.show"],
  ["agent.", "agent.list"],
  ["budget.", "budget.show"],
  ["feedback.", "workflow.show"],
  ["pattern.", "workflow.show"],
  ["improvement.", "workflow.show"],
];

export function mayRead(type: string, permitted: ReadonlySet<CommandType>): boolean {
  const needs = READ_NEEDED.find(([prefix]) => type.startsWith(prefix))?.[1];
  return needs !== undefined && permitted.has(needs);
}

/** Where a stream starts: after Last-Event-ID (a reconnect), after `?after=`, or from now. */
async function startAfter(c: Context, feed: EventFeed): Promise<number | null> {
  const given = c.req.header("last-event-id") ?? c.req.query("after");
  if (given === undefined || given === "") return feed.latestId();
  return /^\d{1,15}$/.test(given) ? Number(given) : null;
}

/**
 * `GET /api/v1/events`: server-sent events of what happens, read from the events table (so a
 * reconnect with Last-Event-ID resumes exactly where it stopped, on any replica), filtered to the
 * types the caller may read, optionally to `?types=a,b`.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
export async function streamEvents(c: Context, caller: Caller, deps: EventStreamDeps): Promise<Response> {
  const after = await startAfter(c, deps.feed);
  if (after === null)
    return sendProblem(
      c,
      problem(400, "invalid_request", "Last-Event-ID must be an event id.", { field: "Last-Event-ID" }),
    );
  const wanted = (c.req.query("types") ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  const { permitted } = await deps.dispatcher.runnableHere(caller.actor, "api");
  const shown = (event: StoredEvent) =>
    mayRead(event.type, permitted) && (wanted.length === 0 || wanted.includes(event.type));
  return streamSSE(
    c,
    async (stream) => {
      const aborted = new AbortController();
      stream.onAbort(() => aborted.abort());
      let cursor = after;
      let quietSince = deps.clock.now().getTime();
      while (!aborted.signal.aborted) {
        const events = await deps.feed.after(cursor, BATCH);
        for (const event of events) {
          cursor = event.id;
          if (!shown(event)) continue;
          await stream.writeSSE({ id: String(event.id), event: event.type, data: JSON.stringify(eventJson(event)) });
          quietSince = deps.clock.now().getTime();
        }
        if (deps.clock.now().getTime() - quietSince >= KEEPALIVE_MS) {
          await stream.write(": keepalive\n\n");
          quietSince = deps.clock.now().getTime();
        }
        if (events.length < BATCH) await deps.clock.sleep(deps.pollMs ?? 250, aborted.signal).catch(() => undefined);
      }
    },
    async (error) => {
      deps.logger.warn("event stream stopped", { error });
    },
  );
}

function eventJson(event: StoredEvent) {
  return {
    id: event.id,
    type: event.type,
    at: event.at.toISOString(),
    executionId: event.executionId,
    agentId: event.agentId,
    actorId: event.actorId,
    payload: event.payload,
  };
}
