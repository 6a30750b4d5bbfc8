import type { AccessResult, TokenView } from "../orchestrator/access/access-results.js";
import { formatTimestamp, type RenderTime } from "./format.js";
import { type Reply, reply } from "./reply.js";

type TokenResult = Extract<AccessResult, { type: "token.create" | "token.list" | "token.revoke" }>;

function tokenLine(token: TokenView, time: RenderTime): string {
  const used = token.lastUsedAt ? `last used ${formatTimestamp(token.lastUsedAt, time.timeZone)}` : "never used";
  const state = token.revokedAt ? `revoked ${formatTimestamp(token.revokedAt, time.timeZone)}` : used;
  return `#${token.id} ${token.label} (\`${token.hint}\`) — made ${formatTimestamp(token.createdAt, time.timeZone)}, ${state}`;
}

/** API tokens → Reply: always to the asker alone, and the token itself only in the answer that made it. */
export function renderToken(result: TokenResult, time: RenderTime): Reply {
  switch (result.type) {
    case "token.create":
      return reply(
        `🔑 Your API token #${result.token.id} (${result.token.label}): ${result.secret}\nIt is shown this once and acts as you, with your roles: send it as \`Authorization: Bearer …\` to baton's REST API or MCP endpoint. Revoke it with \`/orchestrate token revoke ${result.token.id}\`.`,
        [],
        { tone: "success", ephemeral: true },
      );
    case "token.list":
      return result.tokens.length === 0
        ? reply("You have no API tokens; `/orchestrate token create [name]` makes one.", [], { ephemeral: true })
        : reply("Your API tokens", [{ type: "list", items: result.tokens.map((t) => tokenLine(t, time)) }], {
            ephemeral: true,
          });
    case "token.revoke":
      return reply(`🔒 Revoked API token #${result.token.id} (${result.token.label}).`, [], {
        tone: "warning",
        ephemeral: true,
      });
  }
}
