import { z } from "zod";
import type { Tool } from "./types.js";

const TemplateArgs = z.strictObject({ text: z.string().max(40_000) });
type TemplateArgs = z.infer<typeof TemplateArgs>;

/** Returns its (already rendered) text: the way a workflow composes a message from earlier outputs. */
export const templateTool: Tool<TemplateArgs> = {
  name: "template",
  description: "Returns `text` after its {{ placeholders }} are filled in; use it to compose messages.",
  idempotent: true,
  args: TemplateArgs,
  run: async ({ text }) => ({ text }),
};
