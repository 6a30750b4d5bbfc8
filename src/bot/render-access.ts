import type { AccessResult, GrantView } from "../orchestrator/access/access-results.js";
import { formatTimestamp, type RenderTime } from "./format.js";
import { type Reply, type ReplyBlock, reply } from "./reply.js";

/** Where a grant applies, in words. */
export function scopeText(grant: Pick<GrantView, "channel" | "workflow">): string {
  if (grant.workflow !== null) return `for workflow ${grant.workflow}`;
  if (grant.channel !== null) return `in channel ${grant.channel}`;
  return "everywhere";
}

function grantLine(grant: GrantView, time: RenderTime): string {
  return `${grant.subject} — ${grant.role} ${scopeText(grant)} (granted by ${grant.grantedBy}, ${formatTimestamp(grant.grantedAt, time.timeZone)})`;
}

const RULE =
  "Deny by default: without a grant a person is a viewer. The most specific grant that applies decides (workflow, then channel, then everywhere); grants of the same rank add up.";

/** The access commands' results → Reply (README "Permissions"); each answers the asker alone. */
export function renderAccess(
  result: Exclude<AccessResult, { type: "token.create" | "token.list" | "token.revoke" }>,
  time: RenderTime,
): Reply {
  switch (result.type) {
    case "access.grant": {
      const g = result.grant;
      return result.added
        ? reply(`🔑 ${g.subject} is now ${g.role} ${scopeText(g)}.`, [], { tone: "success" })
        : reply(`${g.subject} already holds ${g.role} ${scopeText(g)}; nothing changed.`);
    }
    case "access.revoke": {
      const g = result.grant;
      return reply(`🔒 Revoked ${g.role} ${scopeText(g)} from ${g.subject}.`, [], { tone: "warning" });
    }
    case "access.show":
      return renderShow(result, time);
    case "access.whoami":
      return renderWhoami(result);
    case "identity.link":
      return renderLink(result, time);
    case "identity.unlink":
      return result.unlinked
        ? reply(
            `🔗 ${result.account} is a person of its own again; grants given to your other accounts no longer apply to it.`,
            [],
            { ephemeral: true },
          )
        : reply(`${result.account} was not linked to another account; nothing changed.`, [], { ephemeral: true });
  }
}

function renderShow(result: Extract<AccessResult, { type: "access.show" }>, time: RenderTime): Reply {
  const title = result.subject
    ? `Access: ${result.subject}`
    : result.channel
      ? `Access in channel ${result.channel}`
      : "Access";
  const lines = result.grants.map((grant) => grantLine(grant, time));
  const blocks: ReplyBlock[] = [{ type: "header", text: title }];
  blocks.push(
    lines.length > 0
      ? { type: "list", items: lines }
      : {
          type: "section",
          text: result.subject ? "No grants: a viewer everywhere." : "No grants yet: everyone is a viewer.",
        },
  );
  if (result.permitted)
    blocks.push({ type: "section", text: `May run here: ${result.permitted.join(", ") || "nothing"}.` });
  if (result.configuredAdmins.length > 0)
    blocks.push({ type: "context", text: `Admins by BATON_ADMINS: ${result.configuredAdmins.join(", ")}.` });
  if (!result.subject) {
    blocks.push({ type: "list", items: result.roles.map((role) => `${role.name} — ${role.description}`) });
    blocks.push({ type: "context", text: RULE });
  }
  const text = [title, ...(lines.length > 0 ? lines : ["no grants"])].join("\n");
  return reply(text, blocks, { ephemeral: true });
}

function renderLink(result: Extract<AccessResult, { type: "identity.link" }>, time: RenderTime): Reply {
  if ("issued" in result) {
    const { code, expiresAt, minutes } = result.issued;
    const text = `Your link code is ${code}. On your other account (Slack, Discord or the console), type \`/orchestrate link ${code}\` within ${minutes} minutes (until ${formatTimestamp(expiresAt, time.timeZone)}); it works once. Keep it to yourself: whoever types it becomes you.`;
    return reply(text, [], { ephemeral: true });
  }
  const text = `🔗 Linked: ${result.linked.join(", ")} are now one person for grants, approvals, history and patterns.`;
  return reply(text, [], { tone: "success", ephemeral: true });
}

function renderWhoami(result: Extract<AccessResult, { type: "access.whoami" }>): Reply {
  const admin =
    result.configuredAdmin === "owner"
      ? "You are the owner of this installation (admin)."
      : result.configuredAdmin === "BATON_ADMINS"
        ? "You are an admin by BATON_ADMINS."
        : `Your roles here: ${result.roles.join(", ") || "none"}.`;
  const where = result.channel === null ? "here" : `in ${result.channel}`;
  const fields = [
    { label: "Accounts", value: result.accounts.join(", ") },
    { label: "Groups", value: result.groups.join(", ") || "none" },
    { label: `May run ${where}`, value: result.permitted.join(", ") || "nothing" },
  ];
  const text = [admin, ...fields.map((f) => `${f.label}: ${f.value}`)].join("\n");
  return reply(
    text,
    [
      { type: "section", text: admin },
      { type: "fields", fields },
    ],
    { ephemeral: true },
  );
}
