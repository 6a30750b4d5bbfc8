import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import type { Actor } from "../../src/commands/context.js";
import { GrantRepository } from "../../src/db/repositories/grant-repository.js";
import { parseWorkflowDefinition } from "../../src/orchestrator/workflow/definition.js";
import { chatRequest, RecordingConversation, startTestApp } from "../support/app.js";
import { tempDir } from "../support/cleanup.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";

const ADMIN: Actor = { id: "U0ADMIN", name: "ada", platform: "slack" };
const LIN: Actor = { id: "U0LIN", name: "lin", platform: "slack" };
const BOB: Actor = { id: "U0BOB", name: "bob", platform: "slack" };
const SRE: Actor = { id: "U0SRE", name: "sam", platform: "slack", groups: ["S0SRE"] };

const DEPLOY = [
  "name: deploy",
  "access:",
  "  run: [slack:U0LIN, group:S0SRE]",
  '  channels: [C0DEPLOY, "<#C0OTHER|other>"]',
  "steps:",
  "  - id: ship",
  "    tool: template",
  '    with: { text: "shipped" }',
  "",
].join("\n");

function workflows(): string {
  const dir = tempDir("access-workflows");
  writeFileSync(join(dir, "deploy.yaml"), DEPLOY);
  return dir;
}

/** Issue 14: a workflow's `access:` narrows who may run it and where, for everyone but admins. */
describe.each(DATABASE_KINDS)("workflow access ($kind)", ({ create }) => {
  let db: TestDatabase;
  let app: App;

  beforeAll(async () => {
    db = await create();
    app = await startTestApp({ url: db.url, env: { BATON_ADMINS: "slack:U0ADMIN" }, workflowsDir: workflows() });
    const grants = new GrantRepository(app.database);
    for (const account of ["slack:U0LIN", "slack:U0BOB", "slack:U0SRE"])
      await grants.add({
        subject: { kind: "person", account },
        role: "operator",
        channel: null,
        workflow: null,
        grantedBy: "slack:U0ADMIN",
        grantedAt: new Date(),
      });
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  async function run(actor: Actor, channel: string) {
    const outcome = await app.dispatcher.dispatch(
      chatRequest("/orchestrate run deploy", { platform: "slack", channel, actor }),
      new RecordingConversation(true),
    );
    await outcome.settled;
    return { outcome: outcome.outcome, text: outcome.reply.text, ran: outcome.result?.type === "workflow.run" };
  }

  it("lets the people and groups it lists run it in its channels", async () => {
    expect(await run(LIN, "C0DEPLOY")).toMatchObject({ outcome: "ok", ran: true });
    expect(await run(LIN, "C0OTHER")).toMatchObject({ outcome: "ok", ran: true });
    expect(await run(SRE, "C0DEPLOY")).toMatchObject({ outcome: "ok", ran: true });
  });

  it("refuses anyone else, and anywhere else, in one sentence", async () => {
    const elsewhere = await run(LIN, "C0OPS");
    expect(elsewhere).toMatchObject({ outcome: "denied", ran: false });
    expect(elsewhere.text).toBe("deploy runs only in C0DEPLOY, <#C0OTHER|other>; ask there, or ask an admin.");
    const unlisted = await run(BOB, "C0DEPLOY");
    expect(unlisted).toMatchObject({ outcome: "denied", ran: false });
    expect(unlisted.text).toMatch(/^Only slack:U0LIN, group:S0SRE may run deploy/);
  });

  it("lets admins run it anywhere", async () => {
    expect(await run(ADMIN, "C0OPS")).toMatchObject({ outcome: "ok", ran: true });
  });

  it("refuses a channel written by name when the file is read, naming the file and field", () => {
    const bad = DEPLOY.replace('[C0DEPLOY, "<#C0OTHER|other>"]', '["#deploys"]');
    expect(() => parseWorkflowDefinition(bad, "deploy.yaml", { has: () => true })).toThrow(
      /deploy\.yaml.*access\.channels.*name the channel by its id/s,
    );
  });
});
