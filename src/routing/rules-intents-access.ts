import { parseCommandText } from "./grammar.js";
import { type IntentRule, LIKELY, SURE } from "./rules-types.js";

/** Access intents (README "Permissions"): grants written as the grammar, and who-may-do-what questions. */

const ACCESS_VERB = /^(?:grant|revoke|access|grants|roles|whoami|link|unlink|tokens?)\b/;
/** "create an api token", "list my api tokens", "revoke api token 2" (README "HTTP API"). */
const API_TOKEN = /\b(?:api|access|personal|bearer|mcp|rest)\s+(?:tokens?|keys?)\b/;
const TOKEN_REVOKE = /\b(?:revoke|delete|remove|kill|disable)\b[^#\d]{0,40}?#?(\d{1,9})\b/;
const TOKEN_CREATE = /\b(?:create|make|new|generate|issue|need|want|get|give)\b/;
const TOKEN_LIST = /\b(?:list|show|which|what|my)\b/;
const WHOAMI =
  /^(?:who am i|whoami)$|\bwhat am i allowed to\b|\bmy (?:roles?|permissions|access|grants)\b|^am i (?:an? )?(?:admin|operator|approver|viewer)s?\b|\b(?:what|which) (?:roles?|permissions|access|rights|accounts|groups) (?:do|have|am) i\b|\bwhat (?:can|may) i do\b/;
/** "link my slack and discord accounts", "unlink my account": one identity (README "Permissions"). */
const LINK = /\b(?:link|connect|merge|join)\b.{0,40}\baccounts?\b/;
const UNLINK =
  /\b(?:unlink|disconnect|separate|split|detach)\b.{0,40}\b(?:accounts?|identit(?:y|ies)|slack|discord)\b|^unlink(?: me| this| it)?$|\bundo (?:the |my )?(?:account )?link\b/;
const WHO_MAY =
  /\bwho (?:has|have|can do what|may do what)\b.{0,40}\b(?:access|permissions?|roles?|what|admin|operator|approver|viewer)s?\b|^who can do what\b|\b(?:show|list|see|view) (?:me )?(?:the |all |our )?(?:grants|permissions|roles|access)\b|\b(?:what|which) (?:roles?|permissions|access|rights) (?:does|do|has) \S/;

const ROLE = "(admin|operator|approver|viewer)s?";
const WHO = String.raw`(<@!?[A-Za-z0-9]+(?:\|[^<>]*)?>|@[\w.-]+)`;
const WHERE = String.raw`(?:.{0,20}?(<#[A-Za-z0-9]+(?:\|[^<>]*)?>|#[\w-]+))?`;
/** Grants and revocations in words, each read as the subject and the role: rewritten as the grammar. */
const GRANT_WORDS: readonly RegExp[] = [
  new RegExp(String.raw`\b(?:make|promote|add|set)\s+${WHO}\s+(?:to |as )?(?:an? |the )?${ROLE}\b${WHERE}`, "i"),
  new RegExp(String.raw`\b(?:give|grant)\s+${WHO}\s+(?:the |an? )?${ROLE}\b${WHERE}`, "i"),
  new RegExp(String.raw`\blet\s+${WHO}\s+(approve)\b${WHERE}`, "i"),
];
const REVOKE_WORDS: readonly RegExp[] = [
  new RegExp(
    String.raw`\b(?:take|remove|revoke|strip|drop|pull)\s+(?:the |their |his |her )?${ROLE}\s+(?:role |rights |access )?(?:away )?from\s+${WHO}${WHERE}`,
    "i",
  ),
  new RegExp(String.raw`\bstrip\s+${WHO}\s+of\s+(?:the |their )?${ROLE}\b${WHERE}`, "i"),
  new RegExp(
    String.raw`${WHO}\s+(?:shouldnt|should not|should no longer|is no longer|isnt|is not)\s+(?:be )?(?:an? )?${ROLE}\b${WHERE}`,
    "i",
  ),
];

function grammarRole(role: string): string {
  return role.toLowerCase() === "approve" ? "approver" : role.toLowerCase();
}

/** "make <@U1> an approver", "take admin away from <@U2>": the grant the grammar would read. */
export const accessInWords: IntentRule = (u) => {
  const text = u.text.replace(/'/g, "");
  for (const [verb, patterns, order] of [
    ["grant", GRANT_WORDS, "subject-first"],
    ["revoke", REVOKE_WORDS, "role-first"],
  ] as const) {
    for (const pattern of patterns) {
      const match = pattern.exec(text);
      if (!match) continue;
      const [first, second, channel] = match.slice(1);
      const roleFirst = order === "role-first" && !/^(?:<@|@)/.test(first ?? "");
      const subject = roleFirst ? second : first;
      const role = roleFirst ? first : second;
      if (subject === undefined || role === undefined) continue;
      const parsed = parseCommandText(
        `/orchestrate ${verb} ${subject} ${grammarRole(role)}${channel === undefined ? "" : ` ${channel}`}`,
      );
      if (parsed.kind === "command") return { type: parsed.command.type, confidence: LIKELY, command: parsed.command };
    }
  }
  return null;
};

/** `grant <@lin> operator #ops` without the `/orchestrate` prefix: the grammar decides, or nothing does. */
export const accessGrammar: IntentRule = (u) => {
  if (!ACCESS_VERB.test(u.plain)) return null;
  const parsed = parseCommandText(`/orchestrate ${u.text}`);
  const type = parsed.kind === "command" ? parsed.command.type : "";
  const ours = type.startsWith("access.") || type.startsWith("identity.") || type.startsWith("token.");
  if (parsed.kind !== "command" || !ours) return null;
  return { type: parsed.command.type, confidence: SURE, command: parsed.command };
};

/** API tokens in words: revoke one by number, make one, or list them. */
export const tokenInWords: IntentRule = (u) => {
  if (!API_TOKEN.test(u.plain)) return null;
  const revoke = TOKEN_REVOKE.exec(u.plain);
  if (revoke?.[1] !== undefined) {
    const command = { type: "token.revoke" as const, token: Number(revoke[1]) };
    return { type: command.type, confidence: LIKELY, command };
  }
  if (TOKEN_CREATE.test(u.plain))
    return { type: "token.create", confidence: LIKELY, command: { type: "token.create" } };
  if (TOKEN_LIST.test(u.plain)) return { type: "token.list", confidence: LIKELY, command: { type: "token.list" } };
  return null;
};

export const accessQuestion: IntentRule = (u) => {
  if (WHOAMI.test(u.plain)) return { type: "access.whoami", confidence: LIKELY, command: { type: "access.whoami" } };
  if (UNLINK.test(u.plain))
    return { type: "identity.unlink", confidence: LIKELY, command: { type: "identity.unlink" } };
  if (LINK.test(u.plain)) return { type: "identity.link", confidence: LIKELY, command: { type: "identity.link" } };
  if (WHO_MAY.test(u.plain)) return { type: "access.show", confidence: LIKELY, command: { type: "access.show" } };
  return null;
};
