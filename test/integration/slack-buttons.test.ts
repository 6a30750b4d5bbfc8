import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutionRepository } from "../../src/db/repositories/execution-repository.js";
import { SlackMessageRepository } from "../../src/db/repositories/slack-message-repository.js";
import { DATABASE_KINDS, type TestDatabase } from "../support/databases.js";
import { type SlackHarness, startSlackHarness } from "../support/fake-slack-app.js";
import { clickBody, clickPayload, commandBody, eventBody, postSigned } from "../support/fake-slack-requests.js";

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

type Args = Record<string, unknown>;
const blocksText = (args: Args) => JSON.stringify(args.blocks ?? []);

describe.each(DATABASE_KINDS)("Slack buttons and App Home ($kind)", ({ create }) => {
  let db: TestDatabase;
  let h: SlackHarness;

  beforeAll(async () => {
    db = await create();
    h = await startSlackHarness(db, "http");
  });

  afterAll(async () => {
    await h.close();
    await db.drop();
  });

  const command = (text: string, fields: Record<string, string> = {}) =>
    postSigned(h.eventsUrl, commandBody("/orchestrate", text, fields), FORM);

  it("resolves a waiting execution from its Approve button, refusing a clicker who is not an approver", async () => {
    const before = h.slack.performed("chat.postMessage").length;
    await command("run gate");
    const started = await h.slack.waitFor(
      () =>
        h.slack
          .performed("chat.postMessage")
          .slice(before)
          .find((p) => String(p.text).includes("Started gate")),
      "the run's first message",
    );
    const ts = h.slack.tsOf(started);
    const waitingUpdate = await h.slack.waitFor(
      () => h.slack.performed("chat.update").find((u) => u.ts === ts && blocksText(u).includes("baton:approve:")),
      "the run's message with buttons",
    );
    const id = /baton:approve:(ex_[A-Za-z0-9_-]+)/.exec(blocksText(waitingUpdate))?.[1] ?? "";
    const executions = new ExecutionRepository(h.app.database);
    expect((await executions.get(id))?.status).toBe("waiting");
    const message = { channel: "C0OPS", ts, blocks: waitingUpdate.blocks, text: String(waitingUpdate.text) };

    const ephemerals = h.slack.performed("chat.postEphemeral").length;
    await postSigned(
      h.eventsUrl,
      clickBody(clickPayload(`baton:approve:${id}`, { id: "U0ADA", name: "ada" }, message)),
      FORM,
    );
    const refusal = await h.slack.waitFor(
      () => h.slack.performed("chat.postEphemeral").slice(ephemerals)[0],
      "a refusal",
    );
    expect(refusal).toMatchObject({ user: "U0ADA", channel: "C0OPS" });
    expect(String(refusal.text)).toContain("slack:UGRACE");
    expect((await executions.get(id))?.status).toBe("waiting");

    await postSigned(
      h.eventsUrl,
      clickBody(clickPayload(`baton:approve:${id}`, { id: "UGRACE", name: "grace" }, message)),
      FORM,
    );
    const decided = await h.slack.waitFor(
      () =>
        h.slack
          .performed("chat.update")
          .find((u) => u.ts === message.ts && blocksText(u).includes("Approved by <@UGRACE>")),
      "the clicked message updated",
    );
    expect(decided.channel).toBe("C0OPS");
    await h.settle();
    expect((await executions.get(id))?.status).toBe("succeeded");
    const last =
      h.slack
        .performed("chat.update")
        .filter((u) => u.ts === message.ts)
        .at(-1) ?? {};
    expect(blocksText(last)).not.toContain("baton:approve:");
    const clicks = await new SlackMessageRepository(h.app.database).list({ kind: "click" });
    expect(clicks.filter((c) => c.detail === `baton:approve:${id}`)).toHaveLength(2);
  });

  it("publishes the App Home with status, a waiting run's buttons and the schedules", async () => {
    await command("run gate");
    await command('schedule "0 9 * * 1-5" digest #ops tz=Europe/Berlin');
    await h.settle();
    const before = h.slack.performed("views.publish").length;
    const event = { type: "app_home_opened", user: "U0ADA", channel: "D0ADA", tab: "home" };
    expect((await postSigned(h.eventsUrl, eventBody(event), JSON_TYPE)).status).toBe(200);
    const view = await h.slack.waitFor(() => h.slack.performed("views.publish").slice(before)[0], "views.publish");
    expect(view.user_id).toBe("U0ADA");
    const text = JSON.stringify(view.view);
    expect(text).toContain('"type":"home"');
    expect(text).toContain("baton status");
    expect(text).toContain("Waiting for a person");
    expect(text).toContain("baton:approve:ex_");
    expect(text).toContain("Recent executions");
    expect(text).toContain('"text":"Schedules"');
    expect(text).toContain("`0 9 * * 1-5` Europe/Berlin · next ");

    // Approve from the Home tab: answered in the approver's DM, and their Home tab refreshed.
    const id = /baton:approve:(ex_[A-Za-z0-9_-]+)/.exec(text)?.[1] ?? "";
    const published = h.slack.performed("views.publish").length;
    await postSigned(
      h.eventsUrl,
      clickBody(clickPayload(`baton:approve:${id}`, { id: "UGRACE", name: "grace" }, null)),
      FORM,
    );
    await h.slack.waitFor(
      () =>
        h.slack
          .performed("views.publish")
          .slice(published)
          .find((v) => v.user_id === "UGRACE"),
      "Grace's Home tab refreshed",
    );
    await h.settle();
    expect((await new ExecutionRepository(h.app.database).get(id))?.status).toBe("succeeded");
    const dm = h.slack.performed("chat.postMessage").find((p) => p.channel === "DGRACE");
    expect(String(dm?.text)).toContain(id);
  });

  it('shows a viewer the App Home without decision buttons (README "Permissions")', async () => {
    await command("run gate");
    await h.settle();
    const before = h.slack.performed("views.publish").length;
    const event = { type: "app_home_opened", user: "U0VIEWER", channel: "D0VIEWER", tab: "home" };
    expect((await postSigned(h.eventsUrl, eventBody(event), JSON_TYPE)).status).toBe(200);
    const view = await h.slack.waitFor(() => h.slack.performed("views.publish").slice(before)[0], "views.publish");
    expect(view.user_id).toBe("U0VIEWER");
    const text = JSON.stringify(view.view);
    expect(text).toContain("Waiting for a person");
    expect(text).toContain("gate");
    expect(text).not.toContain("baton:approve:");
    expect(text).not.toContain("baton:reject:");
  });

  it("asks before a destructive command and runs it when the asker confirms", async () => {
    await command("run gate");
    await h.settle();
    const waiting = (await new ExecutionRepository(h.app.database).list({ status: "waiting", limit: 1 }))[0];
    const id = waiting?.id ?? "";
    const before = h.slack.performed("chat.postMessage").length;
    await command(`cancel ${id}`);
    const prompt = await h.slack.waitFor(
      () =>
        h.slack
          .performed("chat.postMessage")
          .slice(before)
          .find((p) => blocksText(p).includes("baton:confirm:")),
      "the confirmation prompt",
    );
    const token = /baton:confirm:([a-f0-9]+)/.exec(blocksText(prompt))?.[1] ?? "";
    const message = { channel: "C0OPS", ts: h.slack.tsOf(prompt), blocks: prompt.blocks, text: String(prompt.text) };
    await postSigned(
      h.eventsUrl,
      clickBody(clickPayload(`baton:confirm:${token}`, { id: "U0ADA", name: "ada" }, message)),
      FORM,
    );
    await h.slack.waitFor(
      () =>
        h.slack
          .performed("chat.update")
          .find((u) => u.ts === message.ts && blocksText(u).includes("Confirmed by <@U0ADA>")),
      "the prompt marked confirmed",
    );
    await h.settle();
    expect((await new ExecutionRepository(h.app.database).get(id))?.status).toBe("cancelled");
  });
});
