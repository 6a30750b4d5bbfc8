import type { CommandType } from "../../commands/commands.js";

/** A grant as replies show it: who (`slack:U1`, `group slack:S1`), what, where, by whom. */
export interface GrantView {
  subject: string;
  role: string;
  channel: string | null;
  workflow: string | null;
  grantedBy: string;
  grantedAt: Date;
}

export interface RoleView {
  name: string;
  description: string;
}

/** What the access commands answer (README "Permissions"). */
export type AccessResult =
  | { type: "access.grant"; grant: GrantView; added: boolean }
  | { type: "access.revoke"; grant: GrantView }
  | {
      type: "access.show";
      grants: GrantView[];
      roles: RoleView[];
      /** BATON_ADMINS, admins by configuration whom no grant can narrow. */
      configuredAdmins: string[];
      /** `access @who`: that person, and what they may run where this was asked. */
      subject?: string;
      permitted?: CommandType[];
      /** `access #channel`: the grants that apply in that channel. */
      channel?: string;
    }
  | {
      type: "access.whoami";
      accounts: string[];
      groups: string[];
      roles: string[];
      configuredAdmin: "owner" | "BATON_ADMINS" | null;
      channel: string | null;
      permitted: CommandType[];
    }
  | { type: "identity.link"; issued: { code: string; expiresAt: Date; minutes: number } }
  | { type: "identity.link"; linked: string[] }
  | { type: "identity.unlink"; unlinked: boolean; account: string }
  /** `secret` is the token itself: in this one answer, never stored, never shown again. */
  | { type: "token.create"; token: TokenView; secret: string }
  | { type: "token.list"; tokens: TokenView[] }
  | { type: "token.revoke"; token: TokenView };

/** An API token as replies show it: never the token, only its first characters. */
export interface TokenView {
  id: number;
  label: string;
  hint: string;
  account: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}
