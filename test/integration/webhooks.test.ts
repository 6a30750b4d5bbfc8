import { createHmac, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChannelPublisher } from "../../src/bot/chat.js";
import { OneShotConversation } from "../../src/bot/one-shot.js";
import type { Reply } from "../../src/bot/reply.js";
import { AuditRepository } from "../../src/db/repositories/audit-repository.js";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { tempDir } from "../support/cleanup.js";
import { DATABASE_KINDS, sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { eventually } from "../support/eventually.js";
import { grantRole } from "../support/grants.js";
import { ADA, type HttpTestApp, startHttpApp } from "../support/http-app.js";

const GITHUB_SECRET = "github-webhook-secret-for-tests";
const HMAC_SECRET = "generic-hmac-secret-for-tests";
const ALERTS_TOKEN = "alertmanager-token-for-tests";

const HOOKS = `
hooks:
  github-push:
    verify: { github: "{{ secrets.GITHUB_WEBHOOK_SECRET }}" }
    as: github
    channel: { platform: console, id: ops }
    command: { type: workflow.run, workflow: hello, input: { name: "{{ body.pusher.name }}" } }
  generic:
    verify: { hmac: "{{ secrets.HOOK_SECRET }}" }
    as: generic
    command: { type: workflow.run, workflow: hello, input: { name: "{{ body.who }}" } }
  alerts:
    verify: { bearer: "{{ secrets.ALERTMANAGER_TOKEN }}" }
    as: alerts
    command: { type: workflow.run, workflow: hello, input: { name: "{{ body.alerts[0].labels.alertname }}" } }
    delivery: "{{ body.groupKey }}|{{ body.status }}"
  ungranted:
    verify: { bearer: "{{ secrets.ALERTMANAGER_TOKEN }}" }
    as: stranger
    command: { type: workflow.run, workflow: hello, input: { name: "nobody" } }
`;

/** A console publisher that records what it was asked to post. */
class RecordingPublisher implements ChannelPublisher {
  readonly platform = "console";
  readonly posts: Array<{ channel: string; reply: Reply; key: string }> = [];

  async publish(channel: string, reply: Reply, options: { idempotencyKey: string }) {
    this.posts.push({ channel, reply, key: options.idempotencyKey });
    return { id: String(this.posts.length) };
  }
}

describe.each(DATABASE_KINDS)("inbound webhooks on $kind", ({ create }) => {
  let database: TestDatabase;
  let http: HttpTestApp;
  let publisher: RecordingPublisher;

  beforeEach(async () => {
    database = await create();
    const file = join(tempDir("hooks"), "hooks.yaml");
    writeFileSync(file, HOOKS);
    http = await startHttpApp({
      url: database.url,
      env: {
        BATON_HOOKS_FILE: file,
        BATON_SECRET_GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
        BATON_SECRET_HOOK_SECRET: HMAC_SECRET,
        BATON_SECRET_ALERTMANAGER_TOKEN: ALERTS_TOKEN,
      },
    });
    publisher = new RecordingPublisher();
    http.app.registerPublisher(publisher);
    await grantRole(http.app.database, "webhook:generic", "operator");
    await grantRole(http.app.database, "webhook:alerts", "operator");
  });

  afterEach(async () => {
    await http.close();
    await database.drop();
  });

  const post = (hook: string, body: string, headers: Record<string, string>) =>
    fetch(`${http.base}/hooks/${hook}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  const githubHeaders = (body: string, delivery: string, secret = GITHUB_SECRET) => ({
    "x-github-event": "push",
    "x-github-delivery": delivery,
    "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
  });

  const webhookRows = async () =>
    (await new AuditRepository(http.app.database).recent({ limit: 50 })).filter((row) => row.platform === "webhook");

  it("starts a run once for a GitHub push granted through chat, and deduplicates its redelivery", async () => {
    // The service identity is granted like a person's account.
    const granted = await http.app.dispatcher.dispatch(
      {
        platform: "console",
        workspace: null,
        channel: "cli",
        thread: null,
        actor: ADA,
        text: "/orchestrate grant webhook:github operator",
        dedupeKey: `test:${randomUUID()}`,
        receivedAt: http.app.clock.now(),
      },
      new OneShotConversation(false, "confirm"),
    );
    expect(granted.outcome).toBe("ok");
    const body = JSON.stringify({ ref: "refs/heads/main", pusher: { name: "Octocat" } });
    const delivery = randomUUID();
    const first = await post("github-push", body, githubHeaders(body, delivery));
    expect(first.status).toBe(202);
    const answer = (await first.json()) as { auditId: number; outcome: string; executionId: string; command: unknown };
    expect(answer).toMatchObject({
      outcome: "ok",
      command: { type: "workflow.run", workflow: "hello", input: { name: "Octocat" } },
    });
    const execution = await new ExecutionRepository(http.app.database).get(answer.executionId);
    expect(execution?.workflowName).toBe("hello");

    const again = await post("github-push", body, githubHeaders(body, delivery));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ duplicate: true });

    const rows = await webhookRows();
    expect(rows.map((row) => [row.actorId, row.actorName, row.commandType, row.outcome])).toEqual([
      ["github", "github", "workflow.run", "ok"],
    ]);
    expect(rows[0]?.id).toBe(answer.auditId);
    expect(rows[0]?.executionId).toBe(answer.executionId);
    expect(rows[0]?.dedupeKey).toBe(`webhook:github-push:${delivery}`);
    const runs = await new ExecutionRepository(http.app.database).list({ limit: 10 });
    expect(runs.map((run) => run.id)).toEqual([answer.executionId]);
    // The result is posted to the hook's channel once the run has finished.
    const posted = await eventually(() => publisher.posts[0], "the run's result posted to console:ops");
    expect(posted.channel).toBe("ops");
    expect(posted.reply.text).toContain("Octocat");
    expect(publisher.posts).toHaveLength(1);
  });

  it("refuses a wrong GitHub signature with 401 and audits it as invalid", async () => {
    const body = JSON.stringify({ pusher: { name: "Mallory" } });
    const forged = await post("github-push", body, githubHeaders(body, randomUUID(), "not-the-secret"));
    expect(forged.status).toBe(401);
    expect(forged.headers.get("content-type")).toBe("application/problem+json");
    expect(await forged.json()).toMatchObject({ code: "invalid_signature" });
    const unsigned = await post("github-push", body, { "x-github-delivery": randomUUID() });
    expect(unsigned.status).toBe(401);
    const rows = await webhookRows();
    expect(rows.map((row) => [row.actorId, row.text, row.outcome, row.errorCode])).toEqual([
      ["github", "POST /hooks/github-push", "invalid", "invalid_signature"],
      ["github", "POST /hooks/github-push", "invalid", "invalid_signature"],
    ]);
    expect(await new ExecutionRepository(http.app.database).list({ limit: 10 })).toEqual([]);
  });

  it("runs a generic HMAC hook with a fresh timestamp and refuses a stale one", async () => {
    const body = JSON.stringify({ who: "Grace" });
    const signed = (seconds: number) => ({
      "x-baton-timestamp": String(seconds),
      "x-baton-signature": `sha256=${createHmac("sha256", HMAC_SECRET).update(`${seconds}.${body}`).digest("hex")}`,
    });
    const now = Math.floor(http.app.clock.now().getTime() / 1000);
    const stale = await post("generic", body, signed(now - 600));
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { detail: string }).detail).toContain("X-Baton-Timestamp");
    const fresh = await post("generic", body, signed(now));
    expect(fresh.status).toBe(202);
    expect(await fresh.json()).toMatchObject({ outcome: "ok", executionId: expect.any(String) });
    // The same signed request again (a replay) runs once.
    expect((await post("generic", body, signed(now))).status).toBe(200);
    const rows = await webhookRows();
    expect(rows.map((row) => [row.actorId, row.outcome])).toEqual([
      ["generic", "ok"],
      ["generic", "invalid"],
    ]);
  });

  it("runs a bearer hook, names a missing field, and refuses a wrong token", async () => {
    const alert = {
      status: "firing",
      groupKey: '{}:{alertname="HighLatency"}',
      alerts: [{ labels: { alertname: "HighLatency" }, annotations: {} }],
    };
    const bearer = { authorization: `Bearer ${ALERTS_TOKEN}` };
    const ran = await post("alerts", JSON.stringify(alert), bearer);
    expect(ran.status).toBe(202);
    expect(await ran.json()).toMatchObject({ command: { input: { name: "HighLatency" } } });
    expect((await post("alerts", JSON.stringify(alert), bearer)).status).toBe(200);
    const resolved = await post("alerts", JSON.stringify({ ...alert, status: "resolved" }), bearer);
    expect(resolved.status).toBe(202);

    const missing = await post("alerts", JSON.stringify({ ...alert, alerts: [] }), bearer);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ code: "field_missing", field: "/command/input/name" });
    const wrong = await post("alerts", JSON.stringify(alert), { authorization: "Bearer guessed" });
    expect(wrong.status).toBe(401);
    const notJson = await post("alerts", "{not json", bearer);
    expect(notJson.status).toBe(400);
    const form = await fetch(`${http.base}/hooks/alerts`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...bearer },
      body: "payload=%7B%7D",
    });
    expect(form.status).toBe(415);
    const runs = await new ExecutionRepository(http.app.database).list({ limit: 10 });
    expect(runs).toHaveLength(2);
  });

  it("refuses a hook whose identity has no grant with 403, audited as denied", async () => {
    const denied = await post("ungranted", "{}", { authorization: `Bearer ${ALERTS_TOKEN}` });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ code: "denied", permission: "workflow.run" });
    const rows = await webhookRows();
    expect(rows.map((row) => [row.actorId, row.commandType, row.outcome])).toEqual([
      ["stranger", "workflow.run", "denied"],
    ]);
  });

  it("answers an unknown hook with 404 and an oversized body with 413", async () => {
    const unknown = await post("nope", "{}", {});
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: "unknown_hook" });
    const huge = await post("alerts", JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) }), {
      authorization: `Bearer ${ALERTS_TOKEN}`,
    });
    expect(huge.status).toBe(413);
  });
});

describe("webhook secrets at start-up", () => {
  it("stops start-up naming the file and field of a secret baton does not have", async () => {
    const database = sqliteDatabase();
    const file = join(tempDir("hooks"), "hooks.yaml");
    writeFileSync(file, HOOKS);
    const starting = startHttpApp({ url: database.url, env: { BATON_HOOKS_FILE: file } });
    await expect(starting).rejects.toThrow(
      `BATON_HOOKS_FILE: ${file}: hooks.github-push.verify.github: no secret GITHUB_WEBHOOK_SECRET`,
    );
    await database.drop();
  });
});
