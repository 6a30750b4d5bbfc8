import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli, WORKFLOWS_DIR } from "../support/cli.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { SPAWNED_PROCESS_MS } from "../support/eventually.js";
import { FakeDiscord } from "../support/fake-discord.js";

let fake: FakeDiscord;
let testDb: TestDatabase;

beforeAll(async () => {
  fake = await new FakeDiscord().start();
  testDb = sqliteDatabase();
});

afterAll(async () => {
  await fake?.stop();
  await testDb?.drop();
});

describe("baton start with DISCORD_TOKEN", () => {
  it("serves Discord without the console and shuts down gracefully on SIGTERM", async () => {
    const run = spawnCli(["start"], {
      LOG_LEVEL: "warn",
      DATABASE_URL: testDb.url,
      BATON_WORKFLOWS_DIR: WORKFLOWS_DIR,
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_GUILD_ID: fake.guildId,
      DISCORD_API_URL: fake.apiUrl,
    });
    const { child } = run;
    child.stdin.end();
    const exited = run.exited;
    try {
      await fake.until(() => (fake.commands.get(fake.guildId) ?? []).length === 2, "the commands", SPAWNED_PROCESS_MS);
      const { token } = fake.slashCommand("orchestrate", { request: "status" });
      const text = await fake.until(() => FakeDiscord.text(fake.original(token)), "the status reply");
      expect(text).toContain("baton status");
      expect(text).toContain("discord: events arriving");
      expect(run.stdout()).not.toContain("baton>");
    } finally {
      child.kill("SIGTERM");
    }
    const code = await exited;
    expect({ code, stderr: run.stderr() }).toMatchObject({ code: 0 });
    expect(run.stdout()).toContain("bye");
    expect(fake.connected).toBe(false);
  });
});
