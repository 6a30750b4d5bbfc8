import { createHash, randomInt } from "node:crypto";
import type { CommandOf } from "../../commands/commands.js";
import { accountOf, type RequestContext } from "../../commands/context.js";
import type { IdentityRepository } from "../../db/repositories/identity-repository.js";
import { BatonError } from "../../errors.js";
import type { Handlers } from "../handlers/handler.js";
import type { AccessResult } from "./access-results.js";

export interface IdentityHandlerDeps {
  identities: IdentityRepository;
  now: () => Date;
}

/** How long a link code works (README "Permissions", one identity). */
export const LINK_CODE_MINUTES = 10;
/** No 0/O, 1/I/L: a code is read off one screen and typed on another. */
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 8;

const invalid = (message: string) => new BatonError("invalid_command", message);

/** `ABCD-EFGH`, about 40 bits: guessing one in its ten minutes is hopeless. */
function newCode(): string {
  const chars = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return `${chars.slice(0, 4).join("")}-${chars.slice(4).join("")}`;
}

/** Codes are stored as hashes of their letters: `abcd efgh` and `ABCD-EFGH` are one code. */
export function hashLinkCode(code: string): string {
  const letters = code.toUpperCase().replace(/[^A-Z0-9]/g, "");
  return createHash("sha256").update(`baton-link:${letters}`).digest("hex");
}

/** One person across Slack, Discord and the console: link codes and unlinking. */
export function identityHandlers(deps: IdentityHandlerDeps): Handlers<"identity.link" | "identity.unlink"> {
  return {
    "identity.link": (command, context) =>
      command.code === undefined ? issue(context, deps) : redeem(command, context, deps),
    "identity.unlink": (_command, context) => unlink(context, deps),
  };
}

async function issue(context: RequestContext, deps: IdentityHandlerDeps): Promise<AccessResult> {
  const code = newCode();
  const expiresAt = new Date(deps.now().getTime() + LINK_CODE_MINUTES * 60_000);
  await deps.identities.issueCode(accountOf(context.actor), hashLinkCode(code), expiresAt);
  return { type: "identity.link", issued: { code, expiresAt, minutes: LINK_CODE_MINUTES } };
}

const NEW_CODE = "type `/orchestrate link` on your other account for a new one.";
const FAILURES = {
  unknown: `That link code is not one baton issued; ${NEW_CODE}`,
  used: `That link code was already used; ${NEW_CODE}`,
  expired: `That link code has expired (codes work for ${LINK_CODE_MINUTES} minutes); ${NEW_CODE}`,
} as const;

async function redeem(
  command: CommandOf<"identity.link">,
  context: RequestContext,
  deps: IdentityHandlerDeps,
): Promise<AccessResult> {
  const me = accountOf(context.actor);
  // A code typed anywhere is spent, whatever follows: the audit log keeps the text it was typed in.
  const redeemed = await deps.identities.redeemCode(hashLinkCode(command.code ?? ""), deps.now());
  if ("failure" in redeemed) throw invalid(FAILURES[redeemed.failure]);
  const owner = redeemed.account;
  if (owner === me)
    throw invalid(
      "That code was issued to this account, so it is spent; ask for a new one with `/orchestrate link` and type it on your other account.",
    );
  const [mine, theirs] = await Promise.all([deps.identities.personOf(me), deps.identities.personOf(owner)]);
  if (mine !== null && mine !== (theirs ?? owner))
    throw invalid(
      "This account is already linked to someone, so the code is spent; `/orchestrate unlink` here first, then link again with a new code.",
    );
  const person = await deps.identities.link(owner, me, deps.now());
  return { type: "identity.link", linked: await deps.identities.accountsOf(person) };
}

async function unlink(context: RequestContext, deps: IdentityHandlerDeps): Promise<AccessResult> {
  const account = accountOf(context.actor);
  return { type: "identity.unlink", unlinked: await deps.identities.unlink(account), account };
}
