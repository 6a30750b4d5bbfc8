import { createInterface } from "node:readline";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ConsoleScreen } from "../../src/bot/console/console-screen.js";

function setup(terminal: boolean) {
  const input = new PassThrough();
  const output = new PassThrough();
  let written = "";
  output.on("data", (chunk: Buffer) => {
    written += chunk.toString();
  });
  const rl = createInterface({ input, output, prompt: "baton> ", terminal });
  const screen = new ConsoleScreen(output, terminal);
  screen.attach(rl);
  return { input, rl, screen, written: () => written, clear: () => (written = "") };
}

describe("ConsoleScreen", () => {
  it("at a terminal prints above the prompt and redraws it with what was typed so far", () => {
    const { input, rl, screen, written, clear } = setup(true);
    screen.prompt();
    input.write("run hel");
    clear();
    screen.print("✅ hello · ex_1 · succeeded");
    const out = written();
    // The prompt line is cleared first, the text written on its own line, then the prompt comes back.
    expect(out.indexOf("\x1b[2K")).toBeLessThan(out.indexOf("✅ hello"));
    const after = out.slice(out.indexOf("✅ hello"));
    expect(after.startsWith("✅ hello · ex_1 · succeeded\n")).toBe(true);
    // The redrawn prompt ends the output (a terminal may add a cursor move after it).
    expect(after.lastIndexOf("baton> run hel")).toBeGreaterThan(after.indexOf("\n"));
    expect(after.slice(after.lastIndexOf("baton> run hel") + "baton> run hel".length)).not.toContain("\n");
    expect(rl.line).toBe("run hel");
    rl.close();
  });

  it("on a pipe starts the text on a line of its own and shows the prompt again", () => {
    const { rl, screen, written, clear } = setup(false);
    screen.prompt();
    clear();
    screen.print("⏳ step 2 of 3");
    expect(written()).toBe("\n⏳ step 2 of 3\nbaton> ");
    rl.close();
  });

  it("prints plainly while no prompt is showing (a request is being answered)", () => {
    const { rl, screen, written } = setup(false);
    screen.print("baton is ready");
    expect(written()).toBe("baton is ready\n");
    screen.prompt();
    screen.lineRead();
    screen.print("⏳ Started hello");
    expect(written()).toBe("baton is ready\nbaton> ⏳ Started hello\n");
    rl.close();
  });

  it("stops writing once the output failed (a closed terminal) instead of throwing", () => {
    const { rl, screen, written } = setup(false);
    const output = (rl as unknown as { output: PassThrough }).output;
    output.emit("error", Object.assign(new Error("write EIO"), { code: "EIO" }));
    screen.print("after the terminal closed");
    screen.prompt();
    expect(written()).toBe("");
    rl.close();
  });
});
