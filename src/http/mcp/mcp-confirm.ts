import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { RequestId } from "@modelcontextprotocol/sdk/types.js";
import { type Command, confirmationQuestion } from "../../commands/commands.js";
import type { Logger } from "../../logger.js";

/** How long a person has to answer a confirmation before it counts as "no". */
const CONFIRM_TIMEOUT_MS = 10 * 60_000;

export type Confirmation = "confirmed" | "declined" | "unsupported";

/**
 * Asks the person behind the MCP client to confirm a destructive command, with the command
 * table's question, through form elicitation — when the client said it can (its `elicitation`
 * capability). Anything but an accepted `confirm: true` is a "no"; so is a failed request.
 * @see https://modelcontextprotocol.io/specification/2025-06-18/client/elicitation
 */
export async function askToConfirm(
  server: Server,
  command: Command,
  relatedRequestId: RequestId,
  logger: Logger,
): Promise<Confirmation> {
  // The SDK reads a bare `elicitation: {}` as form support; URL-only elicitation cannot ask yes or no.
  if (server.getClientCapabilities()?.elicitation?.form === undefined) return "unsupported";
  try {
    const answer = await server.elicitInput(
      {
        message: confirmationQuestion(command),
        requestedSchema: {
          type: "object",
          properties: { confirm: { type: "boolean", title: "Confirm", description: "Yes, do it." } },
          required: ["confirm"],
        },
      },
      { relatedRequestId, timeout: CONFIRM_TIMEOUT_MS },
    );
    return answer.action === "accept" && answer.content?.confirm === true ? "confirmed" : "declined";
  } catch (error) {
    logger.warn("mcp confirmation failed", { command: command.type, error });
    return "declined";
  }
}
