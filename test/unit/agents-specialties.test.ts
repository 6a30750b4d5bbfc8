import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { composePrompt, loadSpecialties, pickSpecialty } from "../../src/orchestrator/agents/specialties.js";
import { tempDir } from "../support/cleanup.js";

function teamFile(text: string): string {
  const file = join(tempDir("specialties"), "team.yaml");
  writeFileSync(file, text);
  return file;
}

describe("specialties", () => {
  it("ship data_analysis, researcher, writer, critic, planner and ops", () => {
    const { all, defaultName } = loadSpecialties();
    expect([...all.keys()]).toEqual(["researcher", "data_analysis", "writer", "critic", "planner", "ops"]);
    expect(defaultName).toBe("researcher");
  });

  it("let a team file replace one and add another", () => {
    const file = teamFile(
      [
        "default: triage",
        "specialties:",
        "  writer: { purpose: Writes in our house style., prompt: 'House style. Goal: {{ goal }}', temperature: 1 }",
        "  triage: { purpose: Sorts incoming incidents., prompt: Triage., tools: [status], keywords: [incident] }",
      ].join("\n"),
    );
    const { all, defaultName } = loadSpecialties(file);
    expect(defaultName).toBe("triage");
    expect(all.get("writer")).toMatchObject({ purpose: "Writes in our house style.", temperature: 1, tools: [] });
    expect(all.get("triage")).toMatchObject({ tools: ["status"], route: [] });
    expect(all.has("critic")).toBe(true);
  });

  it("reject a bad file with one sentence naming the file and the field", () => {
    const file = teamFile("specialties:\n  writer: { purpose: x, prompt: y, temperature: 3 }\n");
    expect(() => loadSpecialties(file)).toThrow(`${file}: specialties.writer.temperature:`);
    const tools = teamFile("specialties:\n  spy: { purpose: x, prompt: y, tools: [shell] }\n");
    expect(() => loadSpecialties(tools)).toThrow(`${tools}: specialties.spy.tools.0:`);
    expect(() => loadSpecialties(teamFile("specialties: [\n"))).toThrow("cannot read the specialties file");
    expect(() => loadSpecialties(join(tmpdir(), "no-such-specialties.yaml"))).toThrow("no-such-specialties.yaml");
  });

  it("compose the system prompt from the template and who asked, where, and why", () => {
    const writer = loadSpecialties().all.get("writer");
    if (!writer) throw new Error("writer is shipped");
    const prompt = composePrompt(writer, { askedBy: "Ada", channel: "#ops", thread: "t1", goal: "notes for 1.2" });
    expect(prompt).toContain("You are baton's writer specialist: Drafts clear announcements");
    expect(prompt).toContain("Requested by Ada in #ops. Goal: notes for 1.2");
    expect(prompt).not.toContain("{{");
  });

  it("pick the named specialty, else by keywords, else the default", () => {
    const specialties = loadSpecialties();
    expect(pickSpecialty(specialties, "anything", "critic").name).toBe("critic");
    expect(pickSpecialty(specialties, "Why did yesterday's healthcheck fail?").name).toBe("ops");
    expect(pickSpecialty(specialties, "Draft an announcement for the release").name).toBe("writer");
    expect(pickSpecialty(specialties, "hmm").name).toBe("researcher");
    expect(() => pickSpecialty(specialties, "x", "astrologer")).toThrow('There is no "astrologer" specialty');
  });
});
