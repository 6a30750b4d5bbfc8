import { parseCommandText } from "./grammar.js";
import { type IntentRule, LIKELY, SURE } from "./rules-types.js";

/** Access intents (README "Permissions"): grants written as the grammar, and who-may-do-what questions. */

const ACCESS_VERB = /^(?:grant|revoke|access|grants|roles|whoami|link|unlink)\b/;
const WHOAMI = /^(?:who am i|whoami)$|\bwhat am i allowed to\b|\bmy (?:roles?|permissions|access|grants)\b/;
/** "link my slack and discord accounts", "unlink my account": one identity (README "Permissions"). */
const LINK = /\b(?:link|connect|merge|join)\b.{0,40}\baccounts?\b/;
const UNLINK = /\b(?:unlink|disconnect|separate|split)\b.{0,40}\baccounts?\b/;
const WHO_MAY =
  /\bwho (?:has|have|can do what|may do what)\b.{0,40}\b(?:access|permissions?|roles?|what)\b|^who can do what\b/;

/** `grant <@lin> operator #ops` without the `/orchestrate` prefix: the grammar decides, or nothing does. */
export const accessGrammar: IntentRule = (u) => {
  if (!ACCESS_VERB.test(u.plain)) return null;
  const parsed = parseCommandText(`/orchestrate ${u.text}`);
  const type = parsed.kind === "command" ? parsed.command.type : "";
  if (parsed.kind !== "command" || !(type.startsWith("access.") || type.startsWith("identity."))) return null;
  return { type: parsed.command.type, confidence: SURE, command: parsed.command };
};

export const accessQuestion: IntentRule = (u) => {
  if (WHOAMI.test(u.plain)) return { type: "access.whoami", confidence: LIKELY, command: { type: "access.whoami" } };
  if (UNLINK.test(u.plain))
    return { type: "identity.unlink", confidence: LIKELY, command: { type: "identity.unlink" } };
  if (LINK.test(u.plain)) return { type: "identity.link", confidence: LIKELY, command: { type: "identity.link" } };
  if (WHO_MAY.test(u.plain)) return { type: "access.show", confidence: LIKELY, command: { type: "access.show" } };
  return null;
};
