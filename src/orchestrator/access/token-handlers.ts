import { createHash, randomBytes } from "node:crypto";
import type { CommandOf } from "../../commands/commands.js";
import { accountOf, accountsOf, type RequestContext } from "../../commands/context.js";
import type { TokenRecord, TokenRepository } from "../../db/repositories/token-repository.js";
import { BatonError } from "../../errors.js";
import type { Handlers } from "../handlers/handler.js";
import type { AccessResult, TokenView } from "./access-results.js";

export interface TokenHandlerDeps {
  tokens: TokenRepository;
  now: () => Date;
}

/** Every token starts so; secret scanners and baton's own redaction recognise it by this. */
export const TOKEN_PREFIX = "baton_";
/** 32 random bytes: guessing one is hopeless, and the hash is all baton keeps. */
const TOKEN_BYTES = 32;
const HINT_LENGTH = TOKEN_PREFIX.length + 4;

/** The hash a token is stored and looked up by. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function tokenView(record: TokenRecord): TokenView {
  const { id, label, hint, account, createdAt, lastUsedAt, revokedAt } = record;
  return { id, label, hint: `${hint}…`, account, createdAt, lastUsedAt, revokedAt };
}

/** `/orchestrate token create|list|revoke`: personal API tokens, each acting as the person who made it. */
export function tokenHandlers(deps: TokenHandlerDeps): Handlers<"token.create" | "token.list" | "token.revoke"> {
  return {
    "token.create": (command, context) => create(command, context, deps),
    "token.list": async (_command, context) => ({
      type: "token.list",
      tokens: (await deps.tokens.listFor(accountsOf(context.actor))).map(tokenView),
    }),
    "token.revoke": async (command, context) => {
      const revoked = await deps.tokens.revoke(command.token, accountsOf(context.actor), deps.now());
      if (revoked === null)
        throw new BatonError(
          "not_found",
          `You have no live API token #${command.token}; \`/orchestrate tokens\` lists yours.`,
        );
      return { type: "token.revoke", token: tokenView(revoked) };
    },
  };
}

/** Entries that act with a token or a hook's secret: a token made there would outlive the one that made it. */
const MINTING_REFUSED: ReadonlySet<string> = new Set(["api", "mcp", "webhook"]);

async function create(
  command: CommandOf<"token.create">,
  context: RequestContext,
  deps: TokenHandlerDeps,
): Promise<AccessResult> {
  if (MINTING_REFUSED.has(context.origin.platform))
    throw new BatonError(
      "denied",
      "API tokens are made in chat (`/orchestrate token create`) or with `baton token create`, never with another token.",
    );
  const secret = `${TOKEN_PREFIX}${randomBytes(TOKEN_BYTES).toString("base64url")}`;
  const record = await deps.tokens.create({
    tokenHash: hashToken(secret),
    hint: secret.slice(0, HINT_LENGTH),
    label: command.name ?? `${context.origin.platform} token`,
    account: accountOf(context.actor),
    actorName: context.actor.name,
    owner: context.actor.owner === true && context.actor.platform === "console",
    createdAt: deps.now(),
  });
  return { type: "token.create", token: tokenView(record), secret };
}
