import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";
import { ADA, type HttpTestApp, startHttpApp } from "../support/http-app.js";

interface SseEvent {
  id: string;
  event: string;
  data: { type: string; executionId: string | null };
}

/** Reads a text/event-stream response into `events` until `stop` is called. */
function readEvents(response: Response): { events: SseEvent[]; stop(): Promise<void> } {
  const events: SseEvent[] = [];
  const reader = response.body?.getReader();
  if (!reader) throw new Error("no body");
  const decoder = new TextDecoder();
  let buffer = "";
  const pump = (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(
          block
            .split("\n")
            .filter((line) => !line.startsWith(":") && line.includes(":"))
            .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()]),
        );
        if (fields.data) events.push({ id: fields.id ?? "", event: fields.event ?? "", data: JSON.parse(fields.data) });
        end = buffer.indexOf("\n\n");
      }
    }
  })();
  return {
    events,
    stop: async () => {
      await reader.cancel().catch(() => undefined);
      await pump;
    },
  };
}

describe.each(DATABASE_KINDS)("the event stream on $kind", ({ create }) => {
  let database: TestDatabase;
  let http: HttpTestApp;
  let token: string;

  beforeEach(async () => {
    database = await create();
    http = await startHttpApp({ url: database.url });
    token = await http.tokenFor(ADA);
  });

  afterEach(async () => {
    await http.close();
    await database.drop();
  });

  const run = async (name: string) => {
    const response = await fetch(`${http.base}/api/v1/commands`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ command: { type: "workflow.run", workflow: "hello", input: { name } }, wait: true }),
    });
    return ((await response.json()) as { result: { execution: { id: string } } }).result.execution.id;
  };
  const open = (headers: Record<string, string> = {}) =>
    fetch(`${http.base}/api/v1/events?types=execution.started,execution.finished`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
    });

  it("refuses a stream without a token", async () => {
    const response = await fetch(`${http.base}/api/v1/events`);
    expect(response.status).toBe(401);
  });

  it("streams a run's events and resumes after a disconnect from Last-Event-ID", async () => {
    const first = await open();
    expect(first.headers.get("content-type")).toContain("text/event-stream");
    const live = readEvents(first);
    const one = await run("One");
    await eventually(() => live.events.some((e) => e.event === "execution.finished"), "the first run's events");
    await live.stop();
    expect(live.events.map((e) => [e.event, e.data.executionId])).toEqual([
      ["execution.started", one],
      ["execution.finished", one],
    ]);
    const lastSeen = live.events.at(-1)?.id ?? "";
    // While nobody listens, another run happens; the reconnect gets it, and nothing twice.
    const two = await run("Two");
    await http.app.eventLog.flush();
    const resumed = readEvents(await open({ "last-event-id": lastSeen }));
    await eventually(() => resumed.events.some((e) => e.event === "execution.finished"), "the missed run's events");
    await resumed.stop();
    expect(resumed.events.map((e) => [e.event, e.data.executionId])).toEqual([
      ["execution.started", two],
      ["execution.finished", two],
    ]);
    expect(Number(resumed.events[0]?.id)).toBeGreaterThan(Number(lastSeen));
  });
});
