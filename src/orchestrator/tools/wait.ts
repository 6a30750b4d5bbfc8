import { z } from "zod";
import { BatonError } from "../../errors.js";
import type { Tool } from "./types.js";

const MAX_WAIT_MS = 60 * 60 * 1000;

/** Template output is text, so `"30"` from an input still counts as a number. */
const numberFromText = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? Number(value) : value);

const WaitArgs = z
  .strictObject({
    ms: z.preprocess(numberFromText, z.number().int().min(0).max(MAX_WAIT_MS)).optional(),
    seconds: z
      .preprocess(
        numberFromText,
        z
          .number()
          .min(0)
          .max(MAX_WAIT_MS / 1000),
      )
      .optional(),
  })
  .refine((args) => (args.ms === undefined) !== (args.seconds === undefined), {
    error: "give either `ms` or `seconds` (one of them, at most one hour)",
  })
  .transform((args) => ({ ms: args.ms ?? Math.round((args.seconds ?? 0) * 1000) }));
type WaitArgs = z.infer<typeof WaitArgs>;

/** Pauses the workflow; stops at once when the step is cancelled or times out. */
export const waitTool: Tool<WaitArgs> = {
  name: "wait",
  description: "Waits `ms` milliseconds or `seconds` seconds (at most one hour).",
  idempotent: true,
  args: WaitArgs,
  run: async ({ ms }, { signal, clock }) => {
    try {
      await clock.sleep(ms, signal);
    } catch {
      throw new BatonError("cancelled", "The wait was cancelled.", { cause: signal.reason });
    }
    return { waitedMs: ms };
  },
};
