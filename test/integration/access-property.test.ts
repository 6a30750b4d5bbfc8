import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import type { AccessDecision } from "../../src/commands/access/evaluate.js";
import { BUILT_IN_ROLE_NAMES } from "../../src/commands/access/roles.js";
import type { Command } from "../../src/commands/commands.js";
import type { Actor, RequestContext } from "../../src/commands/context.js";
import { GrantRepository } from "../../src/db/repositories/grant-repository.js";
import { chatRequest, RecordingConversation, startTestApp, workflowsWithSlowOne } from "../support/app.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";

/**
 * Issue 14's property: whoever asks, whatever they type and whatever grants exist, no command
 * reaches its handler without the policy having allowed that command for that request — and a
 * denied command never reaches one.
 */

type Seen =
  | { kind: "decide"; command: Command; decision: AccessDecision }
  | { kind: "handle"; command: Command; context: RequestContext };

const ACTORS: Actor[] = [
  { id: "U0LIN", name: "Lin", platform: "slack" },
  { id: "U0MAX", name: "Max", platform: "slack", groups: ["S0ONCALL"] },
  { id: "U0SAM", name: "Sam", platform: "slack", groups: ["S0ONCALL"], groupError: "usergroups.list failed" },
  { id: "400000000000000011", name: "kim", platform: "discord", groups: ["500000000000000001"] },
  { id: "lin", name: "Lin", platform: "console" },
];

const SUBJECTS = ["slack:U0LIN", "slack:U0MAX", "discord:400000000000000011", "console:lin"];
const GROUPS = ["slack:S0ONCALL", "discord:500000000000000001"];

const TEXTS = [
  "/orchestrate help",
  "/orchestrate status",
  "/orchestrate workflows",
  "/orchestrate run hello name=Lin",
  "/orchestrate rollback hello 1",
  "/orchestrate runs",
  "/orchestrate cancel ex_1",
  "/orchestrate approve ex_1",
  "/orchestrate reject ex_1 nope",
  "/orchestrate spawn sre",
  "/orchestrate retire ag_1",
  "/orchestrate mode manual",
  "/orchestrate pause",
  "/orchestrate schedules",
  '/orchestrate schedule "0 9 * * 1-5" digest',
  "/orchestrate unschedule sch_1",
  "/orchestrate budget set global max_daily_cost_usd=5",
  "/orchestrate budget",
  "/improve be faster",
  "what's running?",
  "run hello for Lin",
  "cancel everything",
  "pause the orchestrator",
  "show me the history",
];

const grantArbitrary = fc.record({
  subject: fc.oneof(
    fc.constantFrom(...SUBJECTS).map((account) => ({ kind: "person" as const, account })),
    fc.constantFrom(...GROUPS).map((group) => ({ kind: "group" as const, group })),
  ),
  role: fc.constantFrom(...BUILT_IN_ROLE_NAMES),
  channel: fc.constantFrom(null, "C0HERE", "C0ELSEWHERE"),
  workflow: fc.constantFrom(null, "hello", "slow"),
});

describe("no command reaches a handler without a policy decision", () => {
  let database: TestDatabase;
  let app: App;
  const seen: Seen[] = [];

  beforeAll(async () => {
    database = sqliteDatabase();
    app = await startTestApp({ url: database.url, workflowsDir: workflowsWithSlowOne(), env: { BATON_ADMINS: "" } });
    // Record, then do what the real policy and orchestrator do: the property watches the real path.
    const decide = app.access.decide.bind(app.access);
    app.access.decide = async (command, who, place) => {
      const decision = await decide(command, who, place);
      seen.push({ kind: "decide", command, decision });
      return decision;
    };
    const handle = app.orchestrator.handle.bind(app.orchestrator);
    app.orchestrator.handle = (command, context) => {
      seen.push({ kind: "handle", command, context });
      return handle(command, context);
    };
  });

  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it("holds for random askers, grants and messages", async () => {
    const grants = new GrantRepository(app.database);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ACTORS),
        fc.uniqueArray(grantArbitrary, { maxLength: 4, selector: (g) => JSON.stringify(g) }),
        fc.constantFrom(...TEXTS),
        fc.constantFrom("C0HERE", "C0ELSEWHERE"),
        async (actor, given, text, channel) => {
          await app.database.raw.run("DELETE FROM access_grants", []);
          for (const grant of given) await grants.add({ ...grant, grantedBy: "console:ada", grantedAt: new Date() });
          seen.length = 0;
          const outcome = await app.dispatcher.dispatch(
            chatRequest(text, { platform: actor.platform, channel, actor }),
            new RecordingConversation(true),
          );
          await outcome.settled;
          const decisions = seen.filter((entry) => entry.kind === "decide");
          const handled = seen.filter((entry) => entry.kind === "handle");
          expect(handled.length).toBeLessThanOrEqual(1);
          for (const call of handled) {
            const before = seen.slice(0, seen.indexOf(call));
            const decided = before.findLast(
              (entry): entry is Extract<Seen, { kind: "decide" }> =>
                entry.kind === "decide" && entry.command.type === call.command.type,
            );
            expect(decided?.decision.allowed, `${call.command.type} ran without an allowing decision`).toBe(true);
            if (decided?.decision.allowed) expect(call.context.permission.roles).toEqual(decided.decision.roles);
          }
          if (decisions.some((entry) => !entry.decision.allowed)) {
            expect(handled).toEqual([]);
            expect(outcome.outcome).toBe("denied");
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
